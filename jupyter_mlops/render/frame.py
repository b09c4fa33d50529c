"""Runs as pandas DataFrames (pandas is an optional extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MlopsError

if TYPE_CHECKING:
    from ..store.entities import Run


def runs_to_frame(runs: Sequence[Run]) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise MlopsError(
            "search_runs returns a pandas DataFrame and pandas is not installed: "
            "`pip install 'jupyter-mlops[pandas]'`, or use mlops.get_store().search_runs() for a list"
        ) from exc
    records = []
    for run in runs:
        record: dict[str, Any] = {
            "run_id": run.id, "name": run.name, "experiment": run.experiment, "status": run.status,
            "parent_id": run.parent_id, "source": run.source,
            "started_at": pd.Timestamp(run.started_at, unit="s", tz="UTC"),
            "ended_at": pd.Timestamp(run.ended_at, unit="s", tz="UTC") if run.ended_at else pd.NaT,
            "duration": run.duration,
        }
        record.update({f"params.{k}": v for k, v in run.params.items()})
        record.update({f"metrics.{k}": v for k, v in run.metrics.items()})
        record.update({f"tags.{k}": v for k, v in run.tags.items()})
        records.append(record)
    columns = ["run_id", "name", "experiment", "status", "parent_id", "source", "started_at", "ended_at",
               "duration"]
    return pd.DataFrame.from_records(records, columns=_ordered_columns(records, columns))


def _ordered_columns(records: list[dict[str, Any]], fixed: list[str]) -> list[str]:
    extra: dict[str, None] = {}
    for record in records:
        for key in record:
            if key not in fixed:
                extra[key] = None
    return fixed + sorted(extra, key=lambda k: (k.split(".")[0] != "params", k.split(".")[0] != "metrics", k))


__all__ = ["runs_to_frame"]
