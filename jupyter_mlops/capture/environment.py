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
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def installed_packages() -> dict[str, str]:
    """Installed distributions, name → version (computed once per process)."""
    from importlib import metadata

    packages: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            packages[name.lower()] = dist.version
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


def capture_environment(directory: str | os.PathLike[str] | None = None, *, packages: bool = True,
                        git: bool = True, fresh_git: bool = True) -> dict[str, Any]:
    """The environment now. ``fresh_git=False`` reuses this process's earlier look at git
    (scripts logging many runs); cells and notebook runs look again each time."""
    env: dict[str, Any] = dict(_platform())
    if packages:
        env["packages"] = installed_packages()
    if git:
        folder = os.fspath(directory or os.getcwd())
        info = git_info(folder) if fresh_git else _cached_git_info(folder)
        if info is not None:
            env["git"] = info
    return env
