"""Which directory a request names, and which store that directory uses.

Request paths are relative to the server's root directory, as in Jupyter's contents API;
nothing outside that root is ever looked at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import is_url, resolve_location
from ..errors import InvalidInput, MlopsError, StoreError

if TYPE_CHECKING:
    from ..store.sqlstore import Store


class PathOutsideRoot(MlopsError):
    """A request named a file or directory outside the server's root directory."""


class PathNotFound(MlopsError, LookupError):
    """A request named a directory that does not exist."""


def _inside(root: Path, candidate: Path) -> bool:
    return candidate == root or root in candidate.parents


def resolve_directory(root_dir: str | os.PathLike[str], path: str | None) -> Path:
    """The absolute directory that ``path`` (relative to the root) names.

    A notebook's path is accepted too and stands for the directory it is in.
    """
    root = Path(root_dir).resolve()
    text = (path or "").replace("\\", "/")
    if "\x00" in text:
        raise InvalidInput(
            "path= contains a NUL character; pass a directory relative to the server root"
        )
    relative = text.strip("/")
    try:
        candidate = (root / relative).resolve() if relative else root
        if not _inside(root, candidate):
            raise PathOutsideRoot(
                f"path {_shown(path)} leads outside the server's root directory; pass a "
                "directory relative to the root, as the file browser shows it"
            )
        if candidate.is_file():
            candidate = candidate.parent
        if not candidate.is_dir():
            raise PathNotFound(
                f"there is no directory {_shown(relative or '/')} under the server's root "
                "directory; pass an existing directory relative to the root"
            )
    except MlopsError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        # The system refused the name (too long, a symlink loop, not encodable): the request's
        # fault, so a 400 naming the parameter, never a 500.
        raise InvalidInput(
            f"path= {_shown(path)} cannot be looked up ({_reason(exc)}); pass a directory "
            "relative to the server root, as the file browser shows it"
        ) from None
    return candidate


def _shown(text: str | None) -> str:
    """A request path for a message: cut short, since a hostile one may be huge."""
    text = text or ""
    return repr(text if len(text) <= 120 else text[:120] + "...")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, RuntimeError):  # Path.resolve() before Python 3.13
        return "a loop of symbolic links"
    return str(exc)


def store_location(
    root_dir: str | os.PathLike[str], directory: Path, configured: str | None
) -> str:
    """The store location for a request: the configured one, else what ``directory`` finds."""
    if configured:
        return resolve_location(configured, cwd=os.fspath(Path(root_dir).resolve()))
    return resolve_location(None, cwd=os.fspath(directory))


def store_exists(location: str) -> bool:
    """Whether there is something at ``location`` (a file there is an error, not "no store")."""
    return is_url(location) or Path(location).exists()


def open_existing_store(location: str) -> Store | None:
    """The store at ``location``; ``None`` when it is a directory not created yet.

    Browsing never creates a store: a kernel does, when it tracks its first run.
    """
    if not store_exists(location):
        return None
    from ..store import open_store

    try:
        return open_store(location)
    except MlopsError:
        raise
    except Exception as exc:  # a damaged database file, a driver error: say so, not "500"
        raise StoreError(
            f"cannot open the store at {location}: {exc}. Check that it is a jupyter-mlops "
            "store (a folder with mlops.db) and readable, or point JUPYTER_MLOPS_STORE / "
            "--MlopsApp.store at the right one"
        ) from exc
