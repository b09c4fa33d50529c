"""What the panel shows about its runs, without any widget: columns, the best value of each
metric, the parameter that changed between runs, and the points of the chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..compare.direction import lower_is_better

if TYPE_CHECKING:
    from ..store.entities import Run

MAX_METRIC_COLUMNS = 6


def metric_keys(
    runs: Sequence[Run], first: Sequence[str] = (), limit: int = MAX_METRIC_COLUMNS
) -> list[str]:
    """The metrics to show: ``first`` (when logged), then the others in the order runs logged
    them; system metrics left out."""
    seen: dict[str, None] = {}
    for run in reversed(runs):  # oldest first: the first run's metrics lead
        for key in run.metrics:
            if not key.startswith("system/"):
                seen.setdefault(key, None)
    keys = [key for key in first if key in seen]
    keys += [key for key in seen if key not in keys]
    return keys[:limit]


def best_run_ids(runs: Sequence[Run], key: str) -> set[str]:
    """The runs holding the best finite value of ``key`` (none when fewer than two runs have one)."""
    values = {
        run.id: run.metrics[key]
        for run in runs
        if key in run.metrics and math.isfinite(run.metrics[key]) and run.status == "finished"
    }
    if len(values) < 2:
        return set()
    best = min(values.values()) if lower_is_better(key) else max(values.values())
    return {run_id for run_id, value in values.items() if value == best}


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def changed_params(runs: Sequence[Run], names: Sequence[str]) -> list[str]:
    """Of ``names``, those whose value differs between the runs (in ``names`` order)."""
    changed = []
    for name in names:
        values = [run.params[name] for run in runs if name in run.params]
        if any(not _same(value, values[0]) for value in values[1:]):
            changed.append(name)
    return changed


def chart_param(runs: Sequence[Run], names: Sequence[str]) -> str | None:
    """The parameter to chart against: the one that changed between the two newest runs that
    differ, else the first that changed at all, else the first control."""
    changed = changed_params(runs, names)
    if not changed:
        return names[0] if names else None
    for newer, older in zip(runs, runs[1:], strict=False):  # runs are newest first
        for name in changed:
            if (
                name in newer.params
                and name in older.params
                and not _same(newer.params[name], older.params[name])
            ):
                return name
    return changed[0]


@dataclass(frozen=True)
class Point:
    x: Any
    y: float
    run_id: str
    status: str


def chart_points(runs: Sequence[Run], param: str, metric: str) -> list[Point]:
    """One point per run that has both ``param`` and a finite ``metric``, sorted by ``param``
    (numbers by value, other values as text; runs oldest first within equal values)."""
    points = [
        Point(run.params[param], run.metrics[metric], run.id, run.status)
        for run in reversed(runs)
        if param in run.params and metric in run.metrics and math.isfinite(run.metrics[metric])
    ]

    def order(point: Point) -> tuple[int, Any]:
        x = point.x
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return (0, x)
        return (1, str(x))

    return sorted(points, key=order)


__all__ = [
    "Point",
    "best_run_ids",
    "changed_params",
    "chart_param",
    "chart_points",
    "metric_keys",
]
