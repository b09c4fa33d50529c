"""The run store: SQLAlchemy Core over SQLite (embedded) or PostgreSQL (team server).

One class serves both databases. SQLite runs in WAL mode with a busy timeout and takes
its write lock up front (``BEGIN IMMEDIATE``), so many processes can log into one store
without "database is locked" reaching the user.
"""

from __future__ import annotations

import functools
import json
import math
import os
import socket
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    null,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError, OperationalError

from .. import config
from ..errors import (
    AmbiguousRunId,
    CorruptStore,
    InvalidInput,
    ParamConflict,
    RunNotFound,
    RunStillRunning,
    SchemaTooNew,
    StoreError,
    StoreLocationError,
    StoreReadOnly,
    StoreUnavailable,
)
from . import schema as s
from .artifact_names import check_artifact_name
from .blobs import BlobStore
from .engines import server_engine, server_problem, sqlite_engines
from .entities import ENDED_STATUSES, RUN_STATUSES, Artifact, ExecutedCell, Run, RunList
from .filter import parse_filter, parse_order_by
from .history import MetricHistory, pack
from .integrity import check_blob_folder, check_sqlite_file, is_corruption, quick_check_problems
from .previews import cut, preview, whole
from .query import apply_order, compile_filter, param_columns, plan_searches, runs_query
from .snapshots import snapshot_blob, untrusted
from .validation import (
    MAX_KEY_LENGTH,
    MAX_TAGS_PER_WRITE,
    check_note,
    check_tag,
    check_text,
    jsonable_param,
    validate_name,
)

if TYPE_CHECKING:
    from .files import FileRecords
    from .lineage import Lineage
    from .registry import ModelRegistry

HEARTBEAT_TIMEOUT = 30.0
HOST = socket.gethostname()
MIN_PREFIX = 4  # shortest id prefix find_run accepts
AMBIGUOUS_SHOWN = 5  # runs an ambiguous prefix lists
def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """A run store at one location: a directory (SQLite + blobs) or a database URL."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.read_only = False
        if config.is_url(location):
            self._engine = self._read_engine = server_engine(location)
            self.is_sqlite = False
            blobs = os.environ.get(config.BLOBS_ENV)
            self._blob_root = Path(blobs) if blobs else None
            self._database: Path | None = None
        else:
            path = Path(location)
            if path.exists() and not path.is_dir():
                raise StoreLocationError(
                    f"store location {path} is a file, not a directory; point --store or "
                    f"{config.STORE_ENV} at a directory (it is created if missing)"
                )
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreReadOnly(f"cannot create the store directory {path}: {exc}") from exc
            database = self._database = path / "mlops.db"
            check_sqlite_file(database)
            # A store on read-only media can still be browsed: open it immutable, refuse writes.
            self.read_only = database.exists() and not os.access(path, os.W_OK)
            self._engine, self._read_engine = sqlite_engines(database, read_only=self.read_only)
            self.is_sqlite = True
            self._blob_root = path / "blobs"
        check_blob_folder(self._blob_root)
        self._blobs = BlobStore(self._blob_root) if self._blob_root else None
        self._checked = not self.is_sqlite  # whether the file passed SQLite's integrity check
        self._known_snapshots: set[str] = set()  # digests of snapshots this store is known to hold
        self._ensure_schema()

    def __repr__(self) -> str:
        return f"<Store {self.location}>"

    # --- connections -------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE, waiting on the busy timeout)."""
        if self.read_only:
            raise StoreReadOnly(self._read_only_message("the folder is read-only"))
        if not self._checked:
            self._check_integrity()
        with self._translate_errors(), self._engine.begin() as conn:
            yield conn

    def _check_integrity(self) -> None:
        """Before this process first writes: a damaged file is refused, never written to."""
        with self._read() as conn:
            problem = quick_check_problems(conn.exec_driver_sql("PRAGMA quick_check(1)").all())
        if problem is not None:
            raise CorruptStore(os.fspath(self._database), f"SQLite's integrity check says: {problem}")
        self._checked = True

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._translate_errors(), self._read_engine.begin() as conn:
            yield conn

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except UnicodeEncodeError as exc:  # text that slipped past check_text: nothing was written
            raise InvalidInput(f"text that cannot be stored (a lone surrogate?): {exc}") from None
        except DatabaseError as exc:
            if self.is_sqlite and is_corruption(str(exc.orig)):
                raise CorruptStore(os.fspath(self._database), f"SQLite says: {exc.orig}") from None
            if not isinstance(exc, OperationalError):
                raise
            message = str(exc.orig).lower()
            if "readonly" in message or "read-only" in message or "unable to open" in message:
                raise StoreReadOnly(self._read_only_message(str(exc.orig))) from exc
            if not self.is_sqlite:
                raise StoreUnavailable(server_problem(self.location, exc)) from exc
            raise StoreError(f"database error in the store at {self.location}: {exc.orig}") from exc

    def _read_only_message(self, reason: str) -> str:
        return (
            f"the store at {self.location} cannot be written ({reason}); make it writable or point "
            f"--store / {config.STORE_ENV} at a writable directory"
        )

    @functools.cached_property
    def models(self) -> ModelRegistry:
        """The model registry of this store."""
        from .registry import ModelRegistry

        return ModelRegistry(self)

    @functools.cached_property
    def files(self) -> FileRecords:
        """The files runs read and wrote, and the digest cache (lineage)."""
        from .files import FileRecords

        return FileRecords(self)

    def lineage(self, run_id: str | None = None, path: str | None = None) -> Lineage:
        """Runs, files and model versions linked to a run or a file, upstream and downstream."""
        from .lineage import build_lineage

        return build_lineage(self, run_id=run_id, path=path)

    @property
    def blobs(self) -> BlobStore:
        if self._blobs is None:
            raise StoreLocationError(
                f"this store ({self.location}) keeps runs in a database server; set "
                f"{config.BLOBS_ENV} to a directory every machine can reach for artifacts"
            )
        return self._blobs

    def _ensure_schema(self) -> None:
        try:
            with self._read() as conn:
                version = s.read_version(conn)
        except s.UnreadableVersion as exc:
            raise CorruptStore(os.fspath(self._database or self.location), str(exc)) from None
        if version == s.SCHEMA_VERSION:
            return
        self._check_not_newer(version)
        if self.read_only:
            raise StoreReadOnly(self._read_only_message(
                f"it has schema version {version} and needs upgrading to {s.SCHEMA_VERSION}"))
        with self._write() as conn:
            if not self.is_sqlite:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7209412)")
            version = s.read_version(conn)  # another process may have migrated meanwhile
            self._check_not_newer(version)
            for step in s.MIGRATIONS[version:]:
                step(conn)
            if version != s.SCHEMA_VERSION:
                s.write_version(conn, s.SCHEMA_VERSION)

    def _check_not_newer(self, version: int) -> None:
        if version > s.SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the store at {self.location} has schema version {version}, written by a newer "
                f"jupyter-mlops; this one reads up to version {s.SCHEMA_VERSION}. Upgrade with "
                "`pip install -U jupyter-mlops`; the store was left untouched."
            )

    def close(self) -> None:
        self._engine.dispose()
        if self._read_engine is not self._engine:
            self._read_engine.dispose()

    # --- writing runs ------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        *,
        name: str,
        experiment: str,
        parent_id: str | None = None,
        source: str = "api",
        notebook_path: str | None = None,
        env: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        started_at: float | None = None,
        pid: int | None = None,
        host: str | None = None,
        note: str = "",
        user: str | None = None,
    ) -> None:
        new = NewRun(name=name, experiment=experiment, parent_id=parent_id, source=source,
                     notebook_path=notebook_path, env=env, started_at=time.time() if started_at is None else started_at,
                     pid=os.getpid() if pid is None else pid, host=host or HOST, note=note,
                     user=user or config.current_user())
        with self._write() as conn:
            if parent_id is not None:
                self._require_run(conn, parent_id)
            conn.execute(s.runs.insert().values(**new.row(run_id)))
            if params:
                self._log_params(conn, run_id, params, new=True)
            if tags:
                self._set_tags(conn, run_id, tags)

    def check_writable(self) -> None:
        """Raise :class:`StoreReadOnly` now if writes are sure to fail (a read-only store)."""
        if self.read_only:
            raise StoreReadOnly(self._read_only_message("the folder is read-only"))

    def _require_run(self, conn: Connection, run_id: str) -> None:
        if conn.execute(select(s.runs.c.id).where(s.runs.c.id == run_id)).first() is None:
            raise RunNotFound(run_id, self.location)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        with self._write() as conn:
            self._log_params(conn, run_id, params)

    def _log_params(self, conn: Connection, run_id: str, params: Mapping[str, Any], *, new: bool = False) -> None:
        """Insert params; those already stored must be equal. ``new``: the run was created in
        this transaction, so it has none yet."""
        rows = []
        for key, value in params.items():
            validate_name("param name", key, max_length=MAX_KEY_LENGTH)
            text, number, as_text = param_columns(jsonable_param(key, value))
            rows.append({"run_id": run_id, "key": key, "value": text, "value_num": number,
                         "value_str": as_text})
        if not rows:
            return
        if new:
            conn.execute(s.params.insert(), rows)
            return
        existing = dict(
            conn.execute(
                select(s.params.c.key, s.params.c.value).where(
                    s.params.c.run_id == run_id, s.params.c.key.in_([r["key"] for r in rows])
                )
            ).all()
        )
        new_rows = []
        for row in rows:
            old = existing.get(row["key"])
            if old is None:
                new_rows.append(row)
            elif old != row["value"]:
                raise ParamConflict(
                    f"param {row['key']!r} of run {run_id} is already {old} and cannot change to "
                    f"{row['value']}; params are fixed once logged: log a metric or a tag for "
                    "values that change, or start a new run"
                )
        if new_rows:
            conn.execute(s.params.insert(), new_rows)

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        _check_tag_count(tags)
        with self._write() as conn:
            self._require_run(conn, run_id)
            self._set_tags(conn, run_id, tags)

    def _set_tags(self, conn: Connection, run_id: str, tags: Mapping[str, Any]) -> None:
        rows = [{"run_id": run_id, "key": key, "value": check_tag(key, value)} for key, value in tags.items()]
        if rows:
            conn.execute(self._upsert_tags, rows)

    @functools.cached_property
    def _upsert_tags(self) -> Any:
        """INSERT ... ON CONFLICT (run_id, key) DO UPDATE: one statement to add or replace tags."""
        statement = self._dialect_insert(s.tags)
        return statement.on_conflict_do_update(index_elements=[s.tags.c.run_id, s.tags.c.key],
                                               set_={"value": statement.excluded.value})

    def delete_tags(self, run_id: str, keys: Iterable[str]) -> None:
        with self._write() as conn:
            conn.execute(delete(s.tags).where(s.tags.c.run_id == run_id, s.tags.c.key.in_(list(keys))))

    def update_run(self, run_id: str, *, name: str | None = None, note: str | None = None,
                   tags: Mapping[str, Any] | None = None) -> Run:
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = validate_name("run name", name)
        if note is not None:
            values["note"] = check_note(note)
        if tags is not None:
            _check_tag_count(tags)
        with self._write() as conn:
            self._require_run(conn, run_id)
            if values:
                conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(**values))
            if tags is not None:
                conn.execute(delete(s.tags).where(s.tags.c.run_id == run_id))
                self._set_tags(conn, run_id, tags)
        return self.get_run(run_id)

    def write_batch(self, batch: WriteBatch) -> list[str]:
        """Write what a process buffered, in one transaction: runs it started, metric points
        (one chunk per run and key), params (after deleting ``param_removals``: params that
        capture proposed and then withdrew or saw replaced), tags, snapshots, execution
        records, heartbeats and run ends. Returns warnings about params that another process
        had already set to a different value (those are not changed).

        A run created by the batch is inserted with its snapshot and end already in its row,
        and nothing is looked up for it: a short run costs one transaction of inserts."""
        now = time.time()
        warnings: list[str] = []
        with self._write() as conn:
            self._put_snapshot_blobs(conn, batch.snapshot_blobs)
            created: set[str] = set()
            for run_id, new_run in batch.creates.items():
                if new_run.parent_id is not None and new_run.parent_id not in created:
                    self._require_run(conn, new_run.parent_id)
                conn.execute(s.runs.insert().values(
                    **new_run.row(run_id, snapshot=batch.snapshots.get(run_id), end=batch.ends.get(run_id))))
                created.add(run_id)
            run_ids = {run_id for run_id, _ in batch.series}
            for run_id in sorted(run_ids):
                self._append_chunks(conn, run_id, {k: v for (r, k), v in batch.series.items() if r == run_id},
                                    new=run_id in created)
            for run_id, keys in batch.param_removals.items():
                conn.execute(delete(s.params).where(s.params.c.run_id == run_id, s.params.c.key.in_(sorted(keys))))
            for run_id, params in batch.params.items():
                try:
                    self._log_params(conn, run_id, params, new=run_id in created)
                except ParamConflict as exc:
                    warnings.append(str(exc))
            for run_id, tags in batch.tags.items():
                self._set_tags(conn, run_id, tags)
            for run_id, digest in batch.snapshots.items():
                if run_id not in created:
                    conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(snapshot=digest))
            for run_id, cells in batch.records.items():
                self._set_execution_record(conn, run_id, cells, new=run_id in created)
            if batch.heartbeat:
                conn.execute(
                    update(s.runs)
                    .where(s.runs.c.id.in_(list(batch.heartbeat)), s.runs.c.status == "running")
                    .values(heartbeat_at=now)
                )
            for run_id, end in batch.ends.items():
                if run_id not in created:
                    conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(**_end_columns(*end)))
        self._known_snapshots.update(batch.snapshot_blobs)
        return warnings

    def write_metrics(self, series: Mapping[tuple[str, str], tuple[Any, Any, Any]]) -> None:
        """Append metric points: ``(run_id, key)`` → (int64 steps, float64 values, float64 times)."""
        self.write_batch(WriteBatch(series=dict(series)))

    def _append_chunks(self, conn: Connection, run_id: str, series: Mapping[str, tuple[Any, Any, Any]], *,
                       new: bool = False) -> None:
        """Append one chunk per key. ``new``: the run was created in this transaction."""
        mc, lm = s.metric_chunks, s.latest_metrics
        next_seq: dict[str, int] = {}
        latest: dict[str, tuple[int, float]] = {}
        if not new:
            if not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
                conn.execute(_RUN_LOCK, {"run_id": run_id})
            next_seq = dict(conn.execute(
                select(mc.c.key, func.max(mc.c.seq)).where(mc.c.run_id == run_id).group_by(mc.c.key)
            ).all())
            latest = {key: (step, ts) for key, step, ts in conn.execute(
                select(lm.c.key, lm.c.step, lm.c.timestamp).where(lm.c.run_id == run_id)
            ).all()}
        chunks, inserts, updates = [], [], []
        for key, (steps, values, timestamps) in series.items():
            count = len(steps)
            if not count:
                continue
            top = max(steps)
            chunks.append({
                "run_id": run_id, "key": key, "seq": next_seq.get(key, -1) + 1, "count": count,
                "min_step": min(steps), "max_step": top, "data": pack(steps, values, timestamps),
            })
            last = count - 1 - steps[::-1].index(top)  # the latest point of the highest step
            value = values[last]
            row = {"run_id": run_id, "key": key, "step": top, "timestamp": timestamps[last],
                   "value": None if math.isnan(value) else value,
                   "value_repr": None if math.isfinite(value) else repr(value)}
            current = latest.get(key)
            if current is None:
                inserts.append(row)
            elif (top, timestamps[last]) >= current:
                updates.append({"k_run": run_id, "k_key": key, "u_step": top, "u_timestamp": row["timestamp"],
                                "u_value": row["value"], "u_repr": row["value_repr"]})
        if chunks:
            conn.execute(mc.insert(), chunks)
        if inserts:
            conn.execute(lm.insert(), inserts)
        if updates:
            conn.execute(_UPDATE_LATEST, updates)

    def heartbeat(self, run_ids: Iterable[str]) -> None:
        self.write_batch(WriteBatch(heartbeat=list(run_ids)))

    def end_run(self, run_id: str, status: str = "finished", *, error: Mapping[str, Any] | None = None,
                ended_at: float | None = None) -> None:
        if status not in ENDED_STATUSES:
            raise InvalidInput(f"a run ends as one of {', '.join(ENDED_STATUSES)}, not {status!r}")
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(update(s.runs).where(s.runs.c.id == run_id)
                         .values(**_end_columns(status, ended_at or time.time(), error)))

    def set_outputs(self, run_id: str, outputs: Mapping[str, Any]) -> None:
        rows = []
        for name, value in outputs.items():
            validate_name("output name", name, max_length=MAX_KEY_LENGTH)
            try:
                text = json.dumps(value)
            except TypeError as exc:
                raise InvalidInput(
                    f"output {name!r} must be a JSON value (number, text, list, dict), "
                    f"got {type(value).__name__}: store files with log_artifact instead"
                ) from exc
            rows.append({"run_id": run_id, "name": name, "value": text})
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(delete(s.outputs).where(s.outputs.c.run_id == run_id,
                                                 s.outputs.c.name.in_([r["name"] for r in rows])))
            if rows:
                conn.execute(s.outputs.insert(), rows)

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

    def _put_snapshot_blobs(self, conn: Connection, blobs: Mapping[str, tuple[int, bytes]]) -> None:
        rows = [{"digest": digest, "size": size, "data": packed}
                for digest, (size, packed) in blobs.items() if digest not in self._known_snapshots]
        if rows:
            conn.execute(self._insert_snapshot_blob, rows)

    @functools.cached_property
    def _insert_snapshot_blob(self) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING: the same notebook stored by two runs is one row."""
        return self._dialect_insert(s.snapshot_blobs).on_conflict_do_nothing(
            index_elements=[s.snapshot_blobs.c.digest])

    def _dialect_insert(self, table: Any) -> Any:
        """The database's own INSERT construct, which has ON CONFLICT clauses."""
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        return insert(table)

    def set_execution_record(self, run_id: str, cells: Iterable[ExecutedCell]) -> None:
        with self._write() as conn:
            self._set_execution_record(conn, run_id, cells)

    def _set_execution_record(self, conn: Connection, run_id: str, cells: Iterable[ExecutedCell], *,
                              new: bool = False) -> None:
        if not new:
            conn.execute(delete(s.executed_cells).where(s.executed_cells.c.run_id == run_id))
        rows = [(run_id, c.position, c.execution_count, c.source_hash, c.source, bool(c.out_of_order), bool(c.stale))
                for c in cells]
        if rows:  # a record holds every cell the kernel ran: hundreds of rows, inserted by the driver
            conn.exec_driver_sql(_insert_sql(conn, s.executed_cells), rows)

    def delete_run(self, run_id: str, *, refuse_running: bool = False, force: bool = False) -> int:
        """Delete a run and its children with everything they logged (blobs stay shared).
        Returns how many child runs (at any depth) went with it. ``refuse_running``: raise
        :class:`RunStillRunning`, deleting nothing, if the run or one of its children runs.
        A run with registered model versions is refused unless ``force`` (the versions stay)."""
        if refuse_running:
            self.reap()  # a run whose process is gone reads as crashed, and may go
        with self._write() as conn:
            self._require_run(conn, run_id)
            doomed = [run_id]
            frontier = [run_id]
            while frontier:
                frontier = list(conn.execute(select(s.runs.c.id).where(s.runs.c.parent_id.in_(frontier))).scalars())
                doomed.extend(frontier)
            if not force:
                self.models.check_runs_deletable(conn, doomed)
            if refuse_running:
                running = list(conn.execute(select(s.runs.c.id).where(
                    s.runs.c.id.in_(doomed), s.runs.c.status == "running").limit(5)).scalars())
                if running:
                    which = "it is" if running == [run_id] else f"{', '.join(running)} (its own or its children) are"
                    raise RunStillRunning(
                        f"run {run_id} is not deleted: {which} still running; wait for it to end "
                        "(or stop its kernel) and delete it then"
                    )
            for table in s.RUN_TABLES:
                conn.execute(delete(table).where(table.c.run_id.in_(doomed)))
            conn.execute(delete(s.runs).where(s.runs.c.id.in_(doomed)))
        return len(doomed) - 1

    # --- reading ------------------------------------------------------------------

    def reap(self) -> None:
        """Mark runs whose process is gone as crashed, so none reads as running forever."""
        with self._read() as conn:
            rows = conn.execute(
                select(s.runs.c.id, s.runs.c.host, s.runs.c.pid, s.runs.c.heartbeat_at,
                       s.runs.c.started_at).where(s.runs.c.status == "running")
            ).all()
        if not rows:
            return
        now = time.time()
        dead: dict[str, float] = {}
        for run_id, host, pid, heartbeat_at, started_at in rows:
            last_sign = heartbeat_at or started_at
            if host == HOST and pid is not None:
                if not _pid_alive(pid):
                    dead[run_id] = last_sign
            elif now - last_sign > HEARTBEAT_TIMEOUT:
                dead[run_id] = last_sign
        if not dead:
            return
        try:
            with self._write() as conn:
                for run_id, last_sign in dead.items():
                    conn.execute(
                        update(s.runs)
                        .where(s.runs.c.id == run_id, s.runs.c.status == "running")
                        .values(status="crashed", ended_at=last_sign)
                    )
        except StoreReadOnly:
            pass

    def get_run(self, run_id: str) -> Run:
        """The run with this exact id (see :meth:`find_run` for a prefix)."""
        if not isinstance(run_id, str) or not run_id:
            raise RunNotFound(str(run_id), self.location)
        self.reap()
        with self._read() as conn:
            row = conn.execute(select(s.runs).where(s.runs.c.id == run_id)).first()
            if row is None:
                raise RunNotFound(run_id, self.location)
            return self._load_runs(conn, [row])[0]

    def find_run(self, id_or_prefix: str) -> Run:
        """The run with this id, or the one run whose id starts with it (4+ characters): for
        faces that only read, where typing part of an id is a convenience. An ambiguous
        prefix raises :class:`AmbiguousRunId` listing some of the runs it matches."""
        if not isinstance(id_or_prefix, str) or not id_or_prefix:
            raise RunNotFound(str(id_or_prefix), self.location)
        self.reap()
        with self._read() as conn:
            rows = conn.execute(select(s.runs).where(s.runs.c.id == id_or_prefix)).all()
            if not rows and len(id_or_prefix) >= MIN_PREFIX:
                like = s.runs.c.id.like(f"{_escape_like(id_or_prefix)}%", escape="\\")
                rows = conn.execute(select(s.runs).where(like).order_by(s.runs.c.id).limit(AMBIGUOUS_SHOWN + 1)).all()
                if len(rows) > 1:
                    total = conn.execute(select(func.count()).select_from(s.runs).where(like)).scalar_one()
                    raise AmbiguousRunId(id_or_prefix, int(total), [r.id for r in rows[:AMBIGUOUS_SHOWN]])
            if not rows:
                raise RunNotFound(id_or_prefix, self.location)
            return self._load_runs(conn, rows[:1])[0]

    def search_runs(
        self,
        filter: str | None = None,
        experiment: str | None = None,
        order_by: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
        *,
        previews: bool = False,
    ) -> RunList:
        """Runs matching the filter, newest first unless ``order_by`` says otherwise.

        ``previews`` (for faces that list runs): params, tags, outputs and notes over
        :data:`~.previews.PREVIEW_CHARS` characters come as a :class:`~.previews.Preview`."""
        where = compile_filter(parse_filter(filter or ""))
        keys = parse_order_by(order_by or "")
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InvalidInput(f"limit must be a whole number ≥ 0, got {limit!r}")
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput(f"offset must be a whole number ≥ 0, got {offset!r}")
        self.reap()
        query = runs_query(where, experiment)
        query = apply_order(query, keys) if keys else query.order_by(s.runs.c.started_at.desc(), s.runs.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        if previews:
            note, note_length = cut(s.runs.c.note)
            query = query.with_only_columns(
                *(c for c in s.runs.c if c.name != "note"), note.label("note"), note_length.label("note_length"),
                maintain_column_froms=True)
        with self._read() as conn:
            plan_searches(conn)
            rows = conn.execute(query).all()
            return RunList(self._load_runs(conn, rows, previews=previews))

    def count_runs(self, filter: str | None = None, experiment: str | None = None) -> int:
        where = compile_filter(parse_filter(filter or ""))
        query = select(func.count()).select_from(runs_query(where, experiment).subquery())
        with self._read() as conn:
            plan_searches(conn)
            return int(conn.execute(query).scalar_one())

    def experiments(self) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(select(s.runs.c.experiment).distinct().order_by(s.runs.c.experiment)).scalars())

    def _load_runs(self, conn: Connection, rows: Sequence[Any], *, previews: bool = False) -> list[Run]:
        """Runs of these ``runs`` rows with their params, metrics, tags and outputs.
        ``previews``: long values come cut by the database (see :mod:`.previews`)."""
        if not rows:
            return []
        ids = [row.id for row in rows]
        params: dict[str, dict[str, Any]] = {i: {} for i in ids}
        metrics: dict[str, dict[str, float]] = {i: {} for i in ids}
        tags: dict[str, dict[str, str]] = {i: {} for i in ids}
        outputs: dict[str, dict[str, Any]] = {i: {} for i in ids}
        p, t, o = s.params, s.tags, s.outputs
        if previews:  # a param's JSON text when it fits, else the start of its text form
            param_columns_ = (p.c.run_id, p.c.key, cut(p.c.value)[0], *cut(p.c.value_str))
            tag_columns, output_columns = (t.c.run_id, t.c.key, *cut(t.c.value)), (o.c.run_id, o.c.name, *cut(o.c.value))
        else:
            param_columns_ = (p.c.run_id, p.c.key, p.c.value, null(), null())
            tag_columns, output_columns = (t.c.run_id, t.c.key, t.c.value, null()), (o.c.run_id, o.c.name, o.c.value, null())
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for run_id, key, value, head, length in conn.execute(select(*param_columns_).where(p.c.run_id.in_(chunk))):
                params[run_id][key] = json.loads(value) if length is None or whole(value) else preview(head, length)
            lm = s.latest_metrics
            for run_id, key, value, value_repr in conn.execute(
                select(lm.c.run_id, lm.c.key, lm.c.value, lm.c.value_repr).where(lm.c.run_id.in_(chunk))
            ):
                metrics[run_id][key] = float(value_repr) if value_repr else value
            for run_id, key, value, length in conn.execute(select(*tag_columns).where(t.c.run_id.in_(chunk))):
                tags[run_id][key] = preview(value, length)
            for run_id, name, value, length in conn.execute(select(*output_columns).where(o.c.run_id.in_(chunk))):
                outputs[run_id][name] = json.loads(value) if length is None or whole(value) else preview(value, length)
        return [
            Run(
                id=row.id, name=row.name, experiment=row.experiment, status=row.status,
                parent_id=row.parent_id, started_at=row.started_at, ended_at=row.ended_at,
                params=params[row.id], metrics=metrics[row.id], tags=tags[row.id],
                note=preview(row.note, getattr(row, "note_length", None)) or "",
                notebook_path=row.notebook_path, source=row.source, env=_json_or_none(row.env) or {},
                error=_json_or_none(row.error), outputs=outputs[row.id], host=row.host, pid=row.pid,
                user=row.user, _store=self,
            )
            for row in rows
        ]

    def metric_keys(self, run_id: str) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(
                select(s.latest_metrics.c.key).where(s.latest_metrics.c.run_id == run_id).order_by(s.latest_metrics.c.key)
            ).scalars())

    def metric_history(self, run_id: str, key: str) -> MetricHistory:
        mc = s.metric_chunks
        with self._read() as conn:
            rows = conn.execute(
                select(mc.c.data, mc.c.count).where(mc.c.run_id == run_id, mc.c.key == key).order_by(mc.c.seq)
            ).all()
            if not rows:
                self._require_run(conn, run_id)
        return MetricHistory.from_chunks(key, ((bytes(data), count) for data, count in rows))

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

    def execution_record(self, run_id: str) -> list[ExecutedCell]:
        ec = s.executed_cells
        with self._read() as conn:
            rows = conn.execute(select(ec).where(ec.c.run_id == run_id).order_by(ec.c.position)).all()
        return [
            ExecutedCell(position=r.position, execution_count=r.execution_count, source_hash=r.source_hash,
                         source=r.source, out_of_order=bool(r.out_of_order), stale=bool(r.stale))
            for r in rows
        ]


@functools.cache
def _insert_sql_for(paramstyle: str, table_name: str) -> str:
    columns = [c.name for c in s.metadata.tables[table_name].columns]
    marker = "?" if paramstyle == "qmark" else "%s"  # SQLite's driver; psycopg's (format, pyformat)
    return f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"


def _insert_sql(conn: Connection, table: Any) -> str:
    """An INSERT of every column of ``table`` in order, in the driver's parameter style, for
    ``exec_driver_sql`` with tuples: many rows without SQLAlchemy's per-row bookkeeping."""
    return _insert_sql_for(conn.dialect.paramstyle, table.name)


# Writers of one run (the runner and its kernel) take turns choosing the next chunk numbers.
_RUN_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:run_id))")

_UPDATE_LATEST = (
    update(s.latest_metrics)
    .where(s.latest_metrics.c.run_id == bindparam("k_run"), s.latest_metrics.c.key == bindparam("k_key"))
    .values(step=bindparam("u_step"), timestamp=bindparam("u_timestamp"), value=bindparam("u_value"),
            value_repr=bindparam("u_repr"))
)


@dataclass(frozen=True)
class NewRun:
    """The columns a run starts with: for ``Store.create_run``, or for the tracking writer,
    which inserts a short run's row with its first batch (see ``WriteBatch.creates``)."""

    name: str
    experiment: str
    parent_id: str | None = None
    source: str = "api"
    notebook_path: str | None = None
    env: Mapping[str, Any] | None = None
    started_at: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    host: str = HOST
    note: str = ""
    user: str | None = field(default_factory=config.current_user)

    def __post_init__(self) -> None:
        validate_name("run name", self.name)
        validate_name("experiment name", self.experiment)
        check_note(self.note)

    def row(self, run_id: str, *, snapshot: str | None = None,
            end: tuple[str, float, Mapping[str, Any] | None] | None = None) -> dict[str, Any]:
        row = {
            "id": run_id, "name": self.name, "experiment": self.experiment, "status": "running",
            "parent_id": self.parent_id, "started_at": self.started_at, "heartbeat_at": self.started_at,
            "host": self.host, "pid": self.pid, "note": self.note, "notebook_path": self.notebook_path,
            "source": self.source, "env": json.dumps(dict(self.env)) if self.env else None,
            "snapshot": snapshot, "user": self.user,
        }
        if end is not None:
            row.update(_end_columns(*end))
        return row


def _end_columns(status: str, ended_at: float, error: Mapping[str, Any] | None) -> dict[str, Any]:
    columns: dict[str, Any] = {"status": status, "ended_at": ended_at}
    if error is not None:
        columns["error"] = json.dumps(dict(error))
    return columns


@dataclass
class WriteBatch:
    """What the tracking writer hands the store in one transaction."""

    creates: dict[str, NewRun] = field(default_factory=dict)  # runs to insert first, parents first
    series: dict[tuple[str, str], tuple[Any, Any, Any]] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    param_removals: dict[str, set[str]] = field(default_factory=dict)  # deleted before ``params`` go in
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    snapshots: dict[str, str] = field(default_factory=dict)  # run id -> snapshot digest
    snapshot_blobs: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # digest -> (size, zlib bytes)
    records: dict[str, list[ExecutedCell]] = field(default_factory=dict)  # execution records
    heartbeat: list[str] = field(default_factory=list)
    ends: dict[str, tuple[str, float, Mapping[str, Any] | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.creates or self.series or self.params or self.param_removals or self.tags or self.snapshots
                    or self.snapshot_blobs or self.records or self.heartbeat or self.ends)


def _check_tag_count(tags: Mapping[str, Any]) -> None:
    """One call sets a bounded number of tags (the tracking writer's batches are not capped:
    what a run staged over time is always written)."""
    if len(tags) > MAX_TAGS_PER_WRITE:
        raise InvalidInput(f"{len(tags)} tags at once is too many: set at most {MAX_TAGS_PER_WRITE} per call")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = ["MAX_KEY_LENGTH", "RUN_STATUSES", "NewRun", "Store", "WriteBatch", "check_tag", "check_text",
           "validate_name"]
