"""Params and metrics of runs side by side: one equality rule for every face.

Two values are the same when their JSON texts are (keys sorted), so ``1`` and ``1.0`` differ,
``True`` and ``1`` differ, and NaN equals NaN (a metric that is NaN in both runs did not change).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store.entities import Run


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, allow_nan=True)


def same_value(x: Any, y: Any) -> bool:
    """Whether two param or metric values are the same (see the module's rule)."""
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return _text(x) == _text(y)


@dataclass(frozen=True)
class ValueRow:
    key: str
    values: dict[str, Any]  # run id -> value; a run without the key is absent
    differs: bool  # values differ, or some run lacks the key


def value_rows(runs: Sequence[Run], attribute: str, *, skip_system: bool = False) -> list[ValueRow]:
    """One row per key of ``params`` or ``metrics`` of ``runs``, sorted by key."""
    keys: dict[str, None] = {}
    for run in runs:
        for key in getattr(run, attribute):
            if not (skip_system and key.startswith("system/")):
                keys.setdefault(key, None)
    rows = []
    for key in sorted(keys):
        values = {run.id: getattr(run, attribute)[key] for run in runs if key in getattr(run, attribute)}
        present = list(values.values())
        differs = len(values) < len(runs) or any(not same_value(present[0], v) for v in present[1:])
        rows.append(ValueRow(key, values, differs))
    return rows


@dataclass
class ValueChange:
    """How one key differs between run a and run b."""

    key: str
    a: Any
    b: Any
    status: str  # "changed", "only in a", "only in b"
    delta: float | None = None


def value_changes(rows: Sequence[ValueRow], a: str, b: str, *, numeric: bool) -> list[ValueChange]:
    """The rows of runs ``a`` and ``b`` that differ, as changes from a to b (``numeric``: with
    the difference of two numbers)."""
    changes = []
    for row in rows:
        if not row.differs:
            continue
        if b not in row.values:
            changes.append(ValueChange(row.key, row.values[a], None, "only in a"))
        elif a not in row.values:
            changes.append(ValueChange(row.key, None, row.values[b], "only in b"))
        else:
            x, y = row.values[a], row.values[b]
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
            changes.append(ValueChange(row.key, x, y, "changed", y - x if numeric and numbers else None))
    return changes


__all__ = ["ValueChange", "ValueRow", "same_value", "value_changes", "value_rows"]
