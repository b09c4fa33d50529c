"""What a run keeps beside its values: artifacts (blobs by content) and the notebook snapshot
(execution records are in :mod:`.records`).
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import InvalidInput, RunNotFound
from . import schema as s
from .artifact_names import check_artifact_name
from .entities import Artifact
from .snapshots import snapshot_blob, untrusted
from .validation import validate_name


class RunContents:
    """A run's artifacts and notebook snapshot. A part of :class:`~.sqlstore.Store`."""

    def log_artifact(self, run_id: str, path: str | os.PathLike[str], name: str | None = None) -> Artifact:
        source = Path(path)
        if not source.is_file():
            raise InvalidInput(f"artifact {source} is not a file; pass the path of an existing file")
        name = check_artifact_name(validate_name("artifact name", name or source.name, max_length=500))
        digest, size = self.blobs.put_file(source)
        return self._record_artifact(run_id, name, digest, size)

    def log_artifact_bytes(self, run_id: str, name: str, data: bytes) -> Artifact:
        name = check_artifact_name(validate_name("artifact name", name, max_length=500))
        return self._record_artifact(run_id, name, self.blobs.put(data), len(data))

    def _record_artifact(self, run_id: str, name: str, digest: str, size: int) -> Artifact:
        artifact = Artifact(name=name, digest=digest, size=size, created_at=time.time())
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(delete(s.artifacts).where(s.artifacts.c.run_id == run_id,
                                                   s.artifacts.c.name == name))
            conn.execute(s.artifacts.insert().values(run_id=run_id, name=name, digest=digest,
                                                     size=size, created_at=artifact.created_at))
        return artifact

    # --- notebook snapshots: rows of snapshot_blobs, by content -------------------

    def set_snapshot(self, run_id: str, notebook_json: bytes) -> str:
        """Store a run's notebook snapshot (untrusted: see :mod:`.snapshots`); its digest."""
        digest, size, packed = snapshot_blob(notebook_json)
        with self._write() as conn:
            self._require_run(conn, run_id)
            self._put_snapshot_blobs(conn, {digest: (size, packed)})
            conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(snapshot=digest))
        self._known_snapshots.add(digest)
        return digest

    def has_snapshot(self, digest: str) -> bool:
        """Whether a snapshot with this digest is stored (then runs can share it unwritten)."""
        if digest in self._known_snapshots:
            return True
        sb = s.snapshot_blobs
        with self._read() as conn:
            found = conn.execute(select(sb.c.digest).where(sb.c.digest == digest)).first() is not None
        if not found and self._blobs is not None:
            found = self._blobs.exists(digest)  # a snapshot kept as a file (schema version 2)
        if found:
            self._known_snapshots.add(digest)
        return found

    def snapshot_digest(self, run_id: str) -> str | None:
        """The digest of a run's snapshot (None without one), without reading the snapshot."""
        with self._read() as conn:
            row = conn.execute(select(s.runs.c.snapshot).where(s.runs.c.id == run_id)).first()
        if row is None:
            raise RunNotFound(run_id, self.location)
        return row[0]

    def snapshot_bytes(self, run_id: str) -> bytes | None:
        r, sb = s.runs, s.snapshot_blobs
        with self._read() as conn:
            row = conn.execute(
                select(r.c.snapshot, sb.c.data)
                .select_from(r.outerjoin(sb, sb.c.digest == r.c.snapshot))
                .where(r.c.id == run_id)
            ).first()
        if row is None:
            raise RunNotFound(run_id, self.location)
        digest, packed = row
        if digest is None:
            return None
        if packed is not None:
            return untrusted(zlib.decompress(packed))  # stored before snapshots lost their trust
        return untrusted(self.blobs.get(digest))  # a snapshot kept as a file (schema version 2)

    def snapshot(self, run_id: str) -> Any:
        data = self.snapshot_bytes(run_id)
        if data is None:
            return None
        import nbformat

        return nbformat.reads(data.decode("utf-8"), as_version=4)

    def artifacts(self, run_id: str) -> list[Artifact]:
        a = s.artifacts
        with self._read() as conn:
            rows = conn.execute(
                select(a.c.name, a.c.digest, a.c.size, a.c.created_at).where(a.c.run_id == run_id).order_by(a.c.name)
            ).all()
        return [Artifact(name=r.name, digest=r.digest, size=r.size, created_at=r.created_at) for r in rows]

    def artifact_bytes(self, run_id: str, name: str) -> bytes:
        a = s.artifacts
        with self._read() as conn:
            row = conn.execute(select(a.c.digest).where(a.c.run_id == run_id, a.c.name == name)).first()
        if row is None:
            raise InvalidInput(f"run {run_id} has no artifact named {name!r}; list them with Run.artifacts()")
        return self.blobs.get(row[0])
