"""Runs side by side: which params and metrics differ. Shared by the REST API, the widgets
and the CLI's faces, so they always agree on what "differs" means."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store.entities import Run


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
        seen = {json.dumps(v, sort_keys=True, default=str) for v in values.values()}
        rows.append(ValueRow(key, values, len(seen) > 1 or len(values) < len(runs)))
    return rows
