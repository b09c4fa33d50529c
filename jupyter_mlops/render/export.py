"""Runs as JSON and CSV, for the CLI (``jupyter mlops runs --format json|csv``, ``show --format
json``) and scripts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .text import format_time, table_rows

if TYPE_CHECKING:
    from ..store.entities import Run


def runs_json(runs: Sequence[Run]) -> str:
    return json.dumps([run.to_dict() for run in runs], indent=2, default=str) + "\n"


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
    return json.dumps(record, indent=2, default=str) + "\n"


__all__ = ["run_detail_json", "runs_csv", "runs_json"]
