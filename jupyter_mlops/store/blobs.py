"""Content-addressed blob storage for artifacts (snapshots of schema version 2 too).

A blob is named by the sha256 of its bytes and stored zlib-compressed under
``<root>/<first two hex digits>/<rest>``; the same bytes are stored once. Writes go
to a temporary file first and are renamed into place, so a crash never leaves a
half-written blob under its final name.

Files are stored and read in pieces (:meth:`BlobStore.put_file`, :meth:`BlobStore.open`),
so a blob of any size costs a few MiB of memory. The stored form is one zlib stream
whichever way it was written: ``zlib.decompress`` of the whole file reads it too.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import threading
import zlib
from pathlib import Path
from types import TracebackType

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

    def open(self, digest: str) -> BlobReader:
        """The blob's bytes as a file-like reader, decompressed piece by piece as it is read."""
        path = self._path(digest)
        try:
            return BlobReader(open(path, "rb"), f"blob {digest} in {self.root}")
        except FileNotFoundError as exc:
            raise StoreError(
                f"blob {digest} is missing from {self.root}; the blob folder may have been "
                "moved (set JUPYTER_MLOPS_BLOBS to its location)"
            ) from exc

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()


class BlobReader:
    """A stored blob's bytes, read and decompressed in pieces.

    ``read(size)`` returns at most ``size`` bytes and holds at most one piece of compressed
    input besides: a highly compressible blob (a GiB of zeros is a MiB stored) never
    expands all at once.
    """

    def __init__(self, file: io.BufferedReader, label: str) -> None:
        self._file = file
        self._label = label
        self._inflate = zlib.decompressobj()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when ``size`` is negative); ``b""`` at the end."""
        if size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        parts: list[bytes] = []
        wanted = size
        while wanted > 0 and not self._inflate.eof:
            data = self._inflate.unconsumed_tail or self._file.read(_CHUNK)
            try:
                piece = self._inflate.decompress(data, wanted)
            except zlib.error as exc:
                raise StoreError(f"{self._label} is damaged ({exc}); restore it from a backup") from exc
            if not data and not piece:
                raise StoreError(f"{self._label} is cut short; restore it from a backup")
            parts.append(piece)
            wanted -= len(piece)
        return b"".join(parts)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
