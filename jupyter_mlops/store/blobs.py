"""Content-addressed blob storage for artifacts (snapshots of schema version 2 too).

A blob is named by the sha256 of its bytes and stored zlib-compressed under
``<root>/<first two hex digits>/<rest>``; the same bytes are stored once. Writes go
to a temporary file first and are renamed into place, so a crash never leaves a
half-written blob under its final name.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import zlib
from pathlib import Path

from ..errors import StoreError, StoreReadOnly

_CHUNK = 1 << 20
_serial = itertools.count()


def _open_temp(folder: Path) -> tuple[int, str]:
    """A new temporary file in ``folder``, named for this process, thread and write (cheaper
    than mkstemp's random names). A leftover of that name can only be from a dead process
    that had this pid: it is replaced."""
    tmp = str(folder / f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_serial)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        return os.open(tmp, flags, 0o644), tmp
    except FileExistsError:
        os.unlink(tmp)
        return os.open(tmp, flags, 0o644), tmp


def compress_blob(data: bytes) -> tuple[str, bytes]:
    """The digest a blob is stored under, and its stored (compressed) bytes."""
    return hashlib.sha256(data).hexdigest(), zlib.compress(data, 6)


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._folders: set[Path] = set()  # fan-out folders known to exist

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise StoreError(f"not a blob digest: {digest!r}")
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        self._write(path, zlib.compress(data, 6))
        return digest

    def put_file(self, source: str | os.PathLike[str]) -> tuple[str, int]:
        """Store a file's bytes; returns ``(digest, size)``. Streams, so large files are fine."""
        hasher = hashlib.sha256()
        compressor = zlib.compressobj(6)
        size = 0
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            fd, tmp = _open_temp(self.root)
        except PermissionError as exc:
            raise StoreReadOnly(f"cannot write blobs under {self.root}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(_CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
                    out.write(compressor.compress(chunk))
                out.write(compressor.flush())
            digest = hasher.hexdigest()
            path = self._path(digest)
            if path.exists():
                os.unlink(tmp)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, path)
            return digest, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _write(self, path: Path, payload: bytes) -> None:
        try:
            if path.parent not in self._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
            fd, tmp = _open_temp(path.parent)
        except PermissionError as exc:
            raise StoreReadOnly(
                f"cannot write blobs under {self.root}: {exc}; make the store writable "
                "or point JUPYTER_MLOPS_STORE at a writable directory"
            ) from exc
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def get(self, digest: str) -> bytes:
        path = self._path(digest)
        try:
            payload = path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(
                f"blob {digest} is missing from {self.root}; the blob folder may have been "
                "moved (set JUPYTER_MLOPS_BLOBS to its location)"
            ) from exc
        return zlib.decompress(payload)

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()
