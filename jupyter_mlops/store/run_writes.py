"""Writing runs, through the prebuilt statements of :mod:`.statements` on the hot path (a run's
start, its batches, its end), so a short run costs two small transactions.
"""

from __future__ import annotations

import functools
import json
import math
import os
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, select, update

from .. import config
from ..errors import InvalidInput, ParamConflict, RunStillRunning
from . import schema as s
from .batches import NewRun, WriteBatch
from .entities import ENDED_STATUSES, Run
from .history import pack
from .liveness import HOST
from .query import param_columns
from .statements import (
    execute,
    execute_many,
    insert_run,
    insert_sql,
    params_of_keys,
    run_values,
    sql,
)
from .validation import (
    MAX_KEY_LENGTH,
    check_note,
    check_tag,
    check_tag_count,
    jsonable_param,
    validate_name,
)


class RunWrites:
    """Writing runs: create, params, tags, metric batches, ends, outputs, deletes. A part of
    :class:`~.sqlstore.Store` (its transactions are :class:`~.connection.StoreConnection`'s)."""

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
            execute(conn, insert_run(conn), run_values(new.row(run_id)))
            if params:
                self._log_params(conn, run_id, params, new=True)
            if tags:
                self._set_tags(conn, run_id, tags)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        with self._write() as conn:
            self._log_params(conn, run_id, params)

    def _log_params(self, conn: Connection, run_id: str, params: Mapping[str, Any], *, new: bool = False) -> None:
        """Insert params; those already stored must be equal. ``new``: the run was created in
        this transaction, so it has none yet."""
        rows = []  # in the column order of the params table: run_id, key, value, value_num, value_str
        for key, value in params.items():
            validate_name("param name", key, max_length=MAX_KEY_LENGTH)
            text, number, as_text = param_columns(jsonable_param(key, value))
            rows.append((run_id, key, text, number, as_text))
        if not rows:
            return
        if not new:
            existing: dict[str, str] = {}
            for start in range(0, len(rows), 500):  # within every database's limit of markers
                keys = [row[1] for row in rows[start : start + 500]]
                existing.update(execute(conn, params_of_keys(conn, len(keys)), (run_id, *keys)).fetchall())
            new_rows = []
            for row in rows:
                old = existing.get(row[1])
                if old is None:
                    new_rows.append(row)
                elif old != row[2]:
                    raise ParamConflict(
                        f"param {row[1]!r} of run {run_id} is already {old} and cannot change to "
                        f"{row[2]}; params are fixed once logged: log a metric or a tag for "
                        "values that change, or start a new run"
                    )
            rows = new_rows
        if rows:
            execute_many(conn, insert_sql(conn, "params"), rows)

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        check_tag_count(tags)
        with self._write() as conn:
            self._require_run(conn, run_id)
            self._set_tags(conn, run_id, tags)

    def _set_tags(self, conn: Connection, run_id: str, tags: Mapping[str, Any]) -> None:
        rows = [(run_id, key, check_tag(key, value)) for key, value in tags.items()]
        if rows:  # INSERT ... ON CONFLICT DO UPDATE: one statement adds or replaces them
            execute_many(conn, sql(conn, "upsert_tag"), rows)

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
            check_tag_count(tags)
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
        and nothing is looked up for it but its experiment's newest run, within its INSERT (for
        its colour slot): a short run costs one transaction of inserts."""
        now = time.time()
        warnings: list[str] = []
        with self._write() as conn:
            self._put_snapshot_blobs(conn, batch.snapshot_blobs)
            created: set[str] = set()
            for run_id, new_run in batch.creates.items():
                if new_run.parent_id is not None and new_run.parent_id not in created:
                    self._require_run(conn, new_run.parent_id)
                row = new_run.row(run_id, snapshot=batch.snapshots.get(run_id), end=batch.ends.get(run_id))
                execute(conn, insert_run(conn), run_values(row))
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
                    execute(conn, sql(conn, "set_snapshot"), (digest, run_id))
            bases = [self._set_execution_record(conn, run_id, cells, new=run_id in created)
                     for run_id, cells in batch.records.items()]
            if batch.heartbeat:
                conn.execute(
                    update(s.runs)
                    .where(s.runs.c.id.in_(list(batch.heartbeat)), s.runs.c.status == "running")
                    .values(heartbeat_at=now)
                )
            for run_id, end in batch.ends.items():
                if run_id not in created:
                    _end(conn, run_id, *end)
        self._known_snapshots.update(batch.snapshot_blobs)
        for base in bases:
            self._stored_in_full(base)
        return warnings

    def write_metrics(self, series: Mapping[tuple[str, str], tuple[Any, Any, Any]]) -> None:
        """Append metric points: ``(run_id, key)`` → (int64 steps, float64 values, float64 times)."""
        self.write_batch(WriteBatch(series=dict(series)))

    def _append_chunks(self, conn: Connection, run_id: str, series: Mapping[str, tuple[Any, Any, Any]], *,
                       new: bool = False) -> None:
        """Append one chunk per key. ``new``: the run was created in this transaction, so the
        chunks are its first and nothing is looked up; else the database numbers each chunk
        after the key's last one and keeps the latest value of the highest step."""
        if not new and not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
            execute(conn, sql(conn, "run_lock"), (run_id,))
        chunks, latest = [], []
        for key, (steps, values, timestamps) in series.items():
            count = len(steps)
            if not count:
                continue
            top = max(steps)
            # columns of metric_chunks: run_id, key, seq, count, min_step, max_step, data
            data = pack(steps, values, timestamps)
            chunks.append((run_id, key, 0, count, min(steps), top, data) if new
                          else (run_id, key, count, min(steps), top, data, run_id, key))
            last = count - 1 - steps[::-1].index(top)  # the latest point of the highest step
            value = values[last]
            # columns of latest_metrics: run_id, key, value, value_repr, step, timestamp
            latest.append((run_id, key, None if math.isnan(value) else value,
                           None if math.isfinite(value) else repr(value), top, timestamps[last]))
        if chunks:
            execute_many(conn, insert_sql(conn, "metric_chunks") if new else sql(conn, "append_chunk"), chunks)
            execute_many(conn, insert_sql(conn, "latest_metrics") if new else sql(conn, "upsert_latest"), latest)

    def heartbeat(self, run_ids: Iterable[str]) -> None:
        self.write_batch(WriteBatch(heartbeat=list(run_ids)))

    def end_run(self, run_id: str, status: str = "finished", *, error: Mapping[str, Any] | None = None,
                ended_at: float | None = None) -> None:
        if status not in ENDED_STATUSES:
            raise InvalidInput(f"a run ends as one of {', '.join(ENDED_STATUSES)}, not {status!r}")
        with self._write() as conn:
            self._require_run(conn, run_id)
            _end(conn, run_id, status, ended_at or time.time(), error)

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
            if not self.is_sqlite:  # a writer basing a record on one of them finishes first
                conn.execute(select(s.runs.c.id).where(s.runs.c.id.in_(doomed)).with_for_update())
            self._detach_dependents(conn, doomed)
            for table in s.RUN_TABLES:
                conn.execute(delete(table).where(table.c.run_id.in_(doomed)))
            conn.execute(delete(s.runs).where(s.runs.c.id.in_(doomed)))
        return len(doomed) - 1


def _end(conn: Connection, run_id: str, status: str, ended_at: float, error: Mapping[str, Any] | None) -> None:
    if error is None:
        execute(conn, sql(conn, "end_run"), (status, ended_at, run_id))
    else:
        execute(conn, sql(conn, "end_run_with_error"), (status, ended_at, json.dumps(dict(error)), run_id))
