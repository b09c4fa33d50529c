"""A directory as one deterministic tar, and back.

The same content always packs to the same bytes (entries sorted, times, owners and
permissions fixed, symbolic links refused), so a directory registered twice has one digest.
Unpacking refuses anything but plain files and folders inside the target.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

from ..errors import InvalidInput, StoreError

_CHUNK = 1 << 20


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """``(sha256 hex, size)`` of a file, read in chunks."""
    hasher = hashlib.sha256()
    size = 0
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def _entries(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        base = Path(root)
        for name in sorted([*dirs, *files]):
            path = base / name
            if path.is_symlink():
                raise InvalidInput(f"{path} is a symbolic link; a registered directory holds only "
                                   "files and folders (copy the target in instead)")
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def pack_directory(folder: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Write ``folder``'s content as a tar to ``target`` (entries relative to ``folder``)."""
    root = Path(folder)
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in _entries(root):
            relative = path.relative_to(root).as_posix()
            info = tarfile.TarInfo(relative)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if path.is_dir():
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = path.stat().st_size
                info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                with open(path, "rb") as data:
                    tar.addfile(info, data)


def unpack_directory(data: bytes, target: Path) -> None:
    """Unpack a tar made by :func:`pack_directory` into ``target`` (which must not exist)."""
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar.getmembers():
            destination = (target / member.name).resolve()
            if target.resolve() not in destination.parents or not (member.isfile() or member.isdir()):
                raise StoreError(f"the stored directory holds an entry {member.name!r} that is not a "
                                 "plain file inside it; it was not unpacked")
        tar.extractall(target, filter="data")
