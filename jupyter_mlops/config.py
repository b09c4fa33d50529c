"""Where the store lives.

In this order: an explicit location; ``JUPYTER_MLOPS_STORE``; the nearest ``.mlops``
folder in the directory or one of its parents; a new ``.mlops`` at the top of the
enclosing git work tree; else ``<jupyter data dir>/mlops``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

STORE_ENV = "JUPYTER_MLOPS_STORE"
BLOBS_ENV = "JUPYTER_MLOPS_BLOBS"
RUN_ID_ENV = "JUPYTER_MLOPS_RUN_ID"
NOTEBOOK_ENV = "JUPYTER_MLOPS_NOTEBOOK"
STORE_DIRNAME = ".mlops"


def is_url(location: str) -> bool:
    return "://" in location


def resolve_location(location: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None) -> str:
    """Return the store location (a directory path or a database URL) to use."""
    if location:
        return _normalise(os.fspath(location), cwd)
    env = os.environ.get(STORE_ENV)
    if env:
        return _normalise(env, cwd)
    return str(find_project_store(Path(cwd) if cwd else Path.cwd()))


def _normalise(location: str, cwd: str | os.PathLike[str] | None) -> str:
    if is_url(location):
        return location
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = Path(cwd or os.getcwd()) / path
    return str(path)


def find_project_store(start: Path) -> Path:
    start = start.resolve()
    git_top: Path | None = None
    for folder in (start, *start.parents):
        candidate = folder / STORE_DIRNAME
        if candidate.is_dir():
            return candidate
        if git_top is None and (folder / ".git").exists():
            git_top = folder
    if git_top is not None:
        return git_top / STORE_DIRNAME
    return _jupyter_data_dir() / "mlops"


def project_root(location: str) -> Path:
    """The folder a store's file paths are relative to: the store folder's parent; for a
    database server, which has no folder, the git work tree around the working directory,
    else that directory."""
    if not is_url(location):
        return _store_parent(location)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


@functools.lru_cache(maxsize=32)
def _store_parent(location: str) -> Path:
    """Cached: every tracked cell asks (its file capture), and resolving costs a ``stat`` a
    path component."""
    return Path(location).resolve().parent


def _jupyter_data_dir() -> Path:
    env = os.environ.get("JUPYTER_DATA_DIR")
    if env:
        return Path(env)
    try:
        from jupyter_core.paths import jupyter_data_dir
    except ImportError:  # pragma: no cover - jupyter_core ships with every Jupyter install
        return Path.home() / ".local" / "share" / "jupyter"
    return Path(jupyter_data_dir())


USER_ENV = "JUPYTERHUB_USER"


def current_user() -> str | None:
    """Who is acting: ``JUPYTERHUB_USER`` when set (a hub's login), else the login name."""
    user = os.environ.get(USER_ENV)
    if user:
        return user
    # getpass reads these variables, then the password database: a lookup that costs more
    # than writing a run, so it is done once per set of values
    return _login_name(*(os.environ.get(name) for name in ("LOGNAME", "USER", "LNAME", "USERNAME")))


@functools.cache
def _login_name(*_variables: str | None) -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return None
