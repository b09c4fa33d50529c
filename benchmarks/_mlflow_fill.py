"""Fill MLflow's tracking database fast, for the benchmarks that time reading it back.

Through its API MLflow writes a run of 10 params and 10 metrics in three calls, each with its own
commits: 1,000 runs took five minutes on a busy 2-core machine, and 100,000 history points
another two, before the one search or history read that is timed. Here one run (or one batch
of points) goes in through the API, so every table and column is MLflow's own; its rows are then
copied in one transaction with new ids and values. MLflow reads them back as it reads its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def _engine(uri: str):  # noqa: ANN202
    import sqlalchemy as sa

    return sa, sa.create_engine(uri)


def clone_runs(uri: str, template: str, count: int,
               values: Callable[[int], tuple[Mapping[str, str], Mapping[str, float]]]) -> int:
    """``count`` copies of run ``template`` (every row of every table with a ``run_uuid``
    column), copy ``i`` with the params and metric values ``values(i)`` gives by key."""
    sa, engine = _engine(uri)
    meta = sa.MetaData()
    meta.reflect(engine)
    tables = [table for table in meta.sorted_tables if "run_uuid" in table.c]  # runs first
    try:
        with engine.begin() as conn:
            rows = {table.name: [dict(row._mapping) for row in
                                 conn.execute(sa.select(table).where(table.c.run_uuid == template))]
                    for table in tables}
            if not rows.get("runs"):
                raise LookupError(f"no run {template} in {uri}")
            copies: dict[str, list[dict[str, Any]]] = {table.name: [] for table in tables}
            for i in range(count):
                new = uuid.uuid4().hex
                params, metrics = values(i)
                for table in tables:
                    for row in rows[table.name]:
                        copy = {key: value.replace(template, new) if isinstance(value, str) else value
                                for key, value in row.items()}
                        if table.name == "params":
                            copy["value"] = params[row["key"]]
                        elif table.name in ("metrics", "latest_metrics"):
                            copy["value"] = metrics[row["key"]]
                        copies[table.name].append(copy)
            for table in tables:
                if copies[table.name]:
                    conn.execute(table.insert(), copies[table.name])
    finally:
        engine.dispose()
    return count


def add_points(uri: str, run_id: str, key: str, points: Sequence[tuple[float, int, int]]) -> None:
    """More points (value, timestamp, step) of metric ``key`` of ``run_id``, which has one
    logged through the API already (its row is the shape copied)."""
    sa, engine = _engine(uri)
    meta = sa.MetaData()
    meta.reflect(engine, only=["metrics"])
    metrics = meta.tables["metrics"]
    try:
        with engine.begin() as conn:
            shape = conn.execute(sa.select(metrics).where(metrics.c.run_uuid == run_id, metrics.c.key == key)
                                 .limit(1)).first()
            if shape is None:
                raise LookupError(f"run {run_id} has no metric {key} in {uri}")
            row = dict(shape._mapping)
            conn.execute(metrics.insert(), [{**row, "value": value, "timestamp": stamp, "step": step}
                                            for value, stamp, step in points])
    finally:
        engine.dispose()
