"""The files runs read and wrote (``FileRef``), and content digests cached by file state.

A file's digest is ``sha256:<hex>`` of its bytes. Hashing a big file costs seconds, so a
digest is remembered by ``(absolute path, size, mtime_ns)``: in this process's memory and in
the store's ``file_digests`` table, which every process of the store (runner kernels, fresh
interpreters) reads, so an unchanged file is hashed once.

Paths are kept relative to the project root (the store folder's parent) when inside it, so
records survive moving the project and read the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, tuple_

from .. import config
from ..errors import InvalidInput
from . import schema as s

if TYPE_CHECKING:
    from .sqlstore import Store

ROLES = ("input", "output")
# Large reads keep hashing at disk speed: Python's per-call overhead vanishes next to 4 MiB.
CHUNK = 4 << 20
_MEMORY_LIMIT = 100_000
_memory: dict[tuple[str, int, int], str] = {}
_memory_lock = threading.Lock()


@dataclass(frozen=True)
class FileRef:
    """One file a run read (``role="input"``) or wrote (``"output"``)."""

    path: str
    role: str
    digest: str
    size: int | None = None
    modified_at: float | None = None
    name: str | None = None
    context: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # a DataFrame's rows and columns

    @property
    def short_digest(self) -> str:
        algo, _, hexdigest = self.digest.partition(":")
        return f"{algo}:{hexdigest[:12]}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "role": self.role, "digest": self.digest, "size": self.size,
                "modified_at": self.modified_at, "name": self.name, "context": self.context,
                "details": self.details}


@dataclass(frozen=True)
class FileState:
    """What a file is at one moment: enough to know whether it changed since."""

    path: str  # absolute
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> FileState:
        absolute = os.path.abspath(os.fspath(path))
        st = os.stat(absolute)
        return cls(absolute, st.st_size, st.st_mtime_ns)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime_ns)


def hash_file(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a file's bytes, read unbuffered into one reused buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while True:
            count = handle.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
    return "sha256:" + digest.hexdigest()


def project_root(store: Store | str) -> Path:
    """The folder paths are relative to (see :func:`..config.project_root`)."""
    return config.project_root(store if isinstance(store, str) else store.location)


def display_path(store: Store, absolute: str | os.PathLike[str]) -> str:
    """The stored form of a path: relative to the project root when inside it, else absolute."""
    text = os.path.abspath(os.fspath(absolute))
    try:
        return Path(text).relative_to(project_root(store)).as_posix()
    except ValueError:
        return text


class FileRecords:
    """The file records and digest cache of one store (``store.files``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- digests --------------------------------------------------------------------

    def digest(self, state: FileState) -> str:
        """The digest of the file in ``state``: remembered, else hashed (and remembered)."""
        known = self.known_digests([state])
        if state.key in known:
            return known[state.key]
        value = hash_file(state.path)
        after = FileState.of(state.path)
        if after == state:  # written meanwhile: the digest is right for now, not for `state`
            self.remember({state: value})
        return value

    def known_digests(self, states: Iterable[FileState]) -> dict[tuple[str, int, int], str]:
        wanted = {st.key for st in states}
        with _memory_lock:
            found = {key: _memory[key] for key in wanted if key in _memory}
        missing = [key for key in wanted if key not in found]
        fd = s.file_digests
        for start in range(0, len(missing), 300):
            chunk = missing[start : start + 300]
            with self.store._read() as conn:
                rows = conn.execute(select(fd.c.path, fd.c.size, fd.c.mtime_ns, fd.c.digest).where(
                    tuple_(fd.c.path, fd.c.size, fd.c.mtime_ns).in_(chunk))).all()
            found.update({(p, size, mtime): digest for p, size, mtime, digest in rows})
        _keep_in_memory({k: v for k, v in found.items()})
        return found

    def remember(self, digests: Mapping[FileState, str]) -> None:
        if not digests:
            return
        _keep_in_memory({st.key: value for st, value in digests.items()})
        now = time.time()
        rows = [{"path": st.path, "size": st.size, "mtime_ns": st.mtime_ns, "digest": value, "hashed_at": now}
                for st, value in digests.items()]
        if self.store.read_only:
            return
        insert = self.store._dialect_insert(s.file_digests).on_conflict_do_nothing(
            index_elements=[s.file_digests.c.path, s.file_digests.c.size, s.file_digests.c.mtime_ns])
        with self.store._write() as conn:
            conn.execute(insert, rows)

    # --- records ----------------------------------------------------------------------

    def record(self, run_id: str, refs: Iterable[FileRef]) -> None:
        """Store file records of a run; a path recorded again in the same role is replaced."""
        now = time.time()
        rows = {}
        for ref in refs:
            if ref.role not in ROLES:
                raise InvalidInput(f"a file's role is 'input' or 'output', not {ref.role!r}")
            rows[(ref.role, ref.path)] = {
                "run_id": run_id, "role": ref.role, "path": ref.path, "digest": ref.digest, "size": ref.size,
                "modified_at": ref.modified_at, "name": ref.name, "context": ref.context,
                "details": json.dumps(ref.details) if ref.details else None, "recorded_at": now}
        if not rows:
            return
        rf = s.run_files
        with self.store._write() as conn:
            for role, path in rows:
                conn.execute(delete(rf).where(rf.c.run_id == run_id, rf.c.role == role, rf.c.path == path))
            conn.execute(rf.insert(), list(rows.values()))

    def of_run(self, run_id: str, role: str | None = None) -> list[FileRef]:
        if role is not None and role not in ROLES:
            raise InvalidInput(f"role is 'input', 'output' or None, not {role!r}")
        rf = s.run_files
        query = select(rf).where(rf.c.run_id == run_id)
        if role is not None:
            query = query.where(rf.c.role == role)
        with self.store._read() as conn:
            rows = conn.execute(query.order_by(rf.c.role, rf.c.path)).all()
        return [to_ref(row) for row in rows]


def to_ref(row: Any) -> FileRef:
    return FileRef(path=row.path, role=row.role, digest=row.digest, size=row.size, modified_at=row.modified_at,
                   name=row.name, context=row.context, details=json.loads(row.details) if row.details else {})


def _keep_in_memory(digests: Mapping[tuple[str, int, int], str]) -> None:
    with _memory_lock:
        if len(_memory) + len(digests) > _MEMORY_LIMIT:
            _memory.clear()  # a crude bound: the table still has them
        _memory.update(digests)


__all__ = ["FileRecords", "FileRef", "FileState", "display_path", "hash_file", "project_root"]
