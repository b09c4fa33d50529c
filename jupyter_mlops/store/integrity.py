"""Telling a damaged store from a usable one, before anything is written to it.

A damaged ``mlops.db`` (a garbage header, a truncated file, an overwritten page) must give
one clear :class:`~jupyter_mlops.errors.CorruptStore` and stay byte for byte as it was, so
the user can still restore or salvage it. Three guards, from cheapest to dearest:

- the file's first bytes are checked before SQLite opens it (SQLite would otherwise report
  "file is not a database" only after our connection set-up touched it);
- every database error that means corruption becomes :class:`CorruptStore`;
- the first write of a process is preceded by SQLite's ``PRAGMA quick_check``, so a page
  damaged where the reads so far did not look is found before a write lands next to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import CorruptStore

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100

# Messages of SQLite (and SQLAlchemy around it) that mean the file itself is damaged.
_CORRUPTION_MARKERS = (
    "file is not a database",
    "database disk image is malformed",
    "malformed database schema",
    "file is encrypted or is not a database",
    "database corruption",
)


def check_sqlite_file(path: Path) -> None:
    """Refuse a database file whose header is not SQLite's (empty files are new stores)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise CorruptStore(os.fspath(path), "it is a directory, not a database file") from None
    if not header:
        return  # a store being created by another process right now
    if len(header) < _HEADER_SIZE:
        raise CorruptStore(os.fspath(path), f"the file is {len(header)} bytes long, shorter than a database header")
    if not header.startswith(SQLITE_MAGIC):
        raise CorruptStore(os.fspath(path), "it is not a database: its first bytes are not SQLite's header")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise CorruptStore(os.fspath(path), f"its header names an impossible page size ({page_size})")


def is_corruption(message: str) -> bool:
    """Whether a database error message says the file is damaged."""
    lowered = message.lower()
    return any(marker in lowered for marker in _CORRUPTION_MARKERS)


def check_blob_folder(path: Path | None) -> None:
    """Refuse a blob location that is something other than a directory."""
    if path is not None and path.exists() and not path.is_dir():
        raise CorruptStore(
            os.fspath(path), "the blob folder of the store is a file, not a directory; artifacts cannot be kept"
        )


def quick_check_problems(rows: list[tuple[str]]) -> str | None:
    """The first problem ``PRAGMA quick_check`` reported, or None when it said ``ok``."""
    if rows and rows[0][0] == "ok":
        return None
    return rows[0][0] if rows else "the integrity check returned nothing"
