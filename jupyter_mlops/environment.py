"""The environment of a run: Python, platform, host, installed packages and git state.

Environment variable values are never recorded: they hold secrets.
"""

from __future__ import annotations

import functools
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def installed_packages() -> dict[str, str]:
    """Installed distributions, name → version (computed once per process).

    Read from the ``name-version.dist-info`` folder names on ``sys.path`` (what pip
    writes), which takes milliseconds where opening every METADATA file takes tens.
    """
    packages: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                stem = name.rsplit(".", 1)[0]
                dist, _, version = stem.partition("-")
                if dist and version:
                    key = dist.lower().replace("_", "-")
                    packages.setdefault(key, version.split("-py")[0])
    return dict(sorted(packages.items()))


@functools.lru_cache(maxsize=1)
def _platform() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "host": socket.gethostname(),
    }


def git_info(directory: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """Commit, branch and dirty flag of the git work tree holding ``directory``; None outside git."""
    cwd = Path(directory or os.getcwd())
    if cwd.is_file():
        cwd = cwd.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD"],
            cwd=cwd, capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.split()
    if out.returncode != 0 or len(lines) < 3:
        return None
    top, commit, branch = lines[0], lines[1], lines[2]
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=top, capture_output=True, text=True, timeout=10, check=False,
        )
        dirty: bool | None = bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        dirty = None
    return {"commit": commit, "branch": branch, "dirty": dirty, "root": top}


@functools.lru_cache(maxsize=16)
def _cached_git_info(directory: str) -> dict[str, Any] | None:
    return git_info(directory)


_recent_lock = threading.Lock()
_recent_git: dict[str, tuple[float, tuple[Any, ...], dict[str, Any] | None]] = {}


def _git_signature(path: str, info: dict[str, Any] | None) -> tuple[Any, ...]:
    """Sizes and modification times of what a git look depends on: the notebook (when
    ``path`` is one) and the repository's HEAD, index and refs. (Plain strings and
    ``os.stat``: every tracked cell asks.)"""
    files = [path] if os.path.splitext(path)[1] else []
    if info is not None:
        git_dir = os.path.join(info["root"], ".git")
        files += [os.path.join(git_dir, "HEAD"), os.path.join(git_dir, "index"),
                  os.path.join(git_dir, "packed-refs"),
                  os.path.join(git_dir, "refs", "heads", str(info.get("branch", "")))]
    signature: list[Any] = []
    for file in files:
        try:
            stat = os.stat(file)
        except OSError:
            signature.append(None)
        else:
            signature.append((stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def recent_git_info(directory: str | os.PathLike[str], max_age: float) -> dict[str, Any] | None:
    """Like :func:`git_info`, reusing a look younger than ``max_age`` seconds when neither the
    repository's HEAD, index and refs nor the file ``directory`` (a notebook) changed since.
    Cells tracked in quick succession then share one look instead of running git each time."""
    key = os.fspath(directory)
    now = time.monotonic()
    with _recent_lock:
        cached = _recent_git.get(key)
    if cached is not None and now - cached[0] < max_age and _git_signature(key, cached[2]) == cached[1]:
        return cached[2]
    info = git_info(key)
    with _recent_lock:
        _recent_git[key] = (now, _git_signature(key, info), info)
    return info


def capture_environment(directory: str | os.PathLike[str] | None = None, *, packages: bool = True,
                        git: bool = True, fresh_git: bool = True, git_max_age: float = 0.0) -> dict[str, Any]:
    """The environment now. ``fresh_git=False`` reuses this process's earlier look at git
    (scripts logging many runs); cells and notebook runs look again each time, or reuse a
    look younger than ``git_max_age`` seconds if the repository and notebook are unchanged
    (see :func:`recent_git_info`). ``directory`` may be a notebook file."""
    env: dict[str, Any] = dict(_platform())
    if packages:
        env["packages"] = installed_packages()
    if git:
        folder = os.fspath(directory or os.getcwd())
        if not fresh_git:
            info = _cached_git_info(folder)
        elif git_max_age > 0:
            info = recent_git_info(folder, git_max_age)
        else:
            info = git_info(folder)
        if info is not None:
            env["git"] = info
    return env
