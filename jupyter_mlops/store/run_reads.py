"""Reading runs: by id or prefix, by filter, their metric histories; and the reaping of runs
whose process died, so none reads as running forever.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    null,
    select,
    update,
)

from ..errors import AmbiguousRunId, InvalidInput, RunNotFound, StoreReadOnly
from . import schema as s
from .entities import Run, RunBrief, RunList
from .filter import parse_filter, parse_order_by
from .history import MetricHistory
from .liveness import HEARTBEAT_TIMEOUT, HOST, pid_alive
from .previews import cut, preview, whole
from .query import apply_order, compile_filter, plan_searches, runs_query
from .sorted_walk import walk_page, walkable

MIN_PREFIX = 4  # shortest id prefix find_run accepts
AMBIGUOUS_SHOWN = 5  # runs an ambiguous prefix lists
LATEST = "latest:"  # find_run("latest:FILTER"): the newest run the filter matches


def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


class RunReads:
    """Finding and reading runs, and marking those whose process is gone. A part of
    :class:`~.sqlstore.Store`."""

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
                if not pid_alive(pid):
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
        """The run with this id, the one run whose id starts with it (4+ characters), or with
        ``latest:FILTER`` the newest run the filter matches: for faces that only read, where
        typing part of an id is a convenience. An ambiguous prefix raises
        :class:`AmbiguousRunId` listing some of the runs it matches."""
        if not isinstance(id_or_prefix, str) or not id_or_prefix:
            raise RunNotFound(str(id_or_prefix), self.location)
        if id_or_prefix.startswith(LATEST):
            return self._latest_run(id_or_prefix[len(LATEST):])
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

    def _latest_run(self, filter: str) -> Run:
        found = self.search_runs(filter=filter, limit=1)
        if not found:
            if filter.strip():
                raise InvalidInput(f"{LATEST}{filter}: no run matches the filter {filter!r}; list runs with "
                                   f"`jupyter mlops runs --filter {filter!r}`")
            raise InvalidInput(f"{LATEST}: the store has no runs yet")
        return found[0]

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
        node = parse_filter(filter or "")
        where = compile_filter(node)
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
        columns: list[Any] = list(s.runs.c)
        if previews:
            note, note_length = cut(s.runs.c.note)
            columns = [*(c for c in s.runs.c if c.name != "note"), note.label("note"), note_length.label("note_length")]
            query = query.with_only_columns(*columns, maintain_column_froms=True)
        walk = walkable(keys)
        with self._read() as conn:
            plan_searches(conn)
            rows = None
            if walk is not None and limit:
                rows = walk_page(conn, walk, compile_filter(node, s.runs.c.id), where, columns,
                                 experiment=experiment, limit=limit, offset=offset)
            if rows is None:
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
                user=row.user, colour_slot=row.colour, _store=self,
            )
            for row in rows
        ]

    def run_brief(self, run_id: str) -> RunBrief:
        """The run's name, status, times and last metric values, in one light read."""
        r, lm = s.runs, s.latest_metrics
        with self._read() as conn:
            row = conn.execute(select(r.c.name, r.c.status, r.c.started_at, r.c.ended_at).where(r.c.id == run_id)).first()
            if row is None:
                raise RunNotFound(run_id, self.location)
            points = conn.execute(select(lm.c.key, lm.c.value, lm.c.value_repr).where(lm.c.run_id == run_id)).all()
        return RunBrief(id=run_id, name=row.name, status=row.status, started_at=row.started_at, ended_at=row.ended_at,
                        metrics={key: float(text) if text else value for key, value, text in points})

    def last_steps(self, run_id: str) -> dict[str, int]:
        """The highest step logged of each of the run's metrics (where a writer that joins the
        run goes on counting)."""
        lm = s.latest_metrics
        with self._read() as conn:
            return dict(conn.execute(select(lm.c.key, lm.c.step).where(lm.c.run_id == run_id)).all())

    def analyze(self) -> None:
        """Refresh the statistics the database plans queries with (after a bulk load: PostgreSQL
        gathers them by itself within a minute, SQLite when asked)."""
        with self._write() as conn:
            conn.exec_driver_sql("ANALYZE")

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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
