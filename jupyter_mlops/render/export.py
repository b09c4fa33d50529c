"""Runs as JSON and CSV, for the CLI (``jupyter mlops runs --format json|csv``, ``show --format
json``) and scripts."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .text import format_time, table_rows

if TYPE_CHECKING:
    from ..store.entities import Run


def jsonable(value: Any) -> Any:
    """``value`` with non-finite floats as the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"`` (JSON has no such numbers; JavaScript's ``Number()`` reads these back),
    tuples as lists and keys as strings."""
    if isinstance(value, str):
        marker = getattr(value, "to_json", None)  # a long value a list shows cut (the store's Preview)
        return marker() if marker is not None else value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def strict_json(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text of ``value`` (every JSON parser reads it): the one encoding of the REST
    API and of the CLI's ``--format json``."""
    separators = (",", ":") if indent is None else None
    return json.dumps(jsonable(value), allow_nan=False, default=str, indent=indent, separators=separators)


def runs_json(runs: Sequence[Run]) -> str:
    return strict_json([run.to_dict() for run in runs]) + "\n"


def runs_csv(runs: Sequence[Run]) -> str:
    header, _ = table_rows(runs, max_params=10_000, max_metrics=10_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    params = [h.split(".", 1)[1] for h in header if h.startswith("params.")]
    metrics = [h.split(".", 1)[1] for h in header if h.startswith("metrics.")]
    for run in runs:
        writer.writerow([
            run.id, run.name, run.experiment, run.status, format_time(run.started_at),
            "" if run.duration is None else f"{run.duration:.3f}",
            *(json.dumps(run.params[k]) if k in run.params and not isinstance(run.params[k], str)
              else run.params.get(k, "") for k in params),
            *(repr(run.metrics[k]) if k in run.metrics else "" for k in metrics),
        ])
    return out.getvalue()


def run_detail_json(run: Run) -> str:
    record = run.to_dict()
    record["artifacts"] = [a.__dict__ for a in run.artifacts()]
    record["execution_record"] = [c.__dict__ for c in run.execution_record()]
    record["files"] = [f.to_dict() for f in run.files()]
    return strict_json(record) + "\n"


__all__ = ["jsonable", "run_detail_json", "runs_csv", "runs_json", "strict_json"]
