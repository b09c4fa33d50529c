"""Comparing runs: params and metrics side by side, and the cell diff of two snapshots."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import comparison
from ..errors import InvalidInput
from .payloads import run_summary

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store


def value_rows(runs: Sequence[Run], attribute: str) -> list[dict[str, Any]]:
    """One row per key of ``params`` or ``metrics``: each run's value (absent when the run has
    none) and whether the runs differ on it."""
    return [{"key": row.key, "values": row.values, "differs": row.differs}
            for row in comparison.value_rows(runs, attribute)]


def compare_runs(store: Store, ids: Sequence[str]) -> dict[str, Any]:
    """Params and metrics of the runs side by side; the cell diff when there are exactly two."""
    unique = list(dict.fromkeys(i for i in ids if i))
    if len(unique) < 2:
        raise InvalidInput("name two or more different runs to compare: ?ids=RUN_A,RUN_B")
    runs = [store.get_run(run_id) for run_id in unique]
    result: dict[str, Any] = {
        "runs": [run_summary(run) for run in runs],
        "params": value_rows(runs, "params"),
        "metrics": value_rows(runs, "metrics"),
        "metric_keys": sorted({key for run in runs for key in store.metric_keys(run.id)}),
        "cell_diff": None,
    }
    if len(runs) == 2:
        result["cell_diff"] = snapshot_diff(store, runs[0], runs[1])
    return result


def snapshot_diff(store: Store, a: Run, b: Run) -> dict[str, Any]:
    raw_a, raw_b = store.snapshot_bytes(a.id), store.snapshot_bytes(b.id)
    missing = [run.id for run, raw in ((a, raw_a), (b, raw_b)) if raw is None]
    diff: dict[str, Any] = {"a": a.id, "b": b.id, "missing": missing, "cells": []}
    if not missing:
        assert raw_a is not None and raw_b is not None
        diff["cells"] = cell_diff(_cells(raw_a, a.id), _cells(raw_b, b.id))
    return diff


def _cells(raw: bytes, run_id: str) -> list[tuple[str, str]]:
    try:
        notebook = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"the snapshot of run {run_id} is not notebook JSON: {exc}") from exc
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        cells.append((str(cell.get("cell_type", "code")), str(source)))
    return cells


def _line_diff(old: str, new: str) -> list[dict[str, str]]:
    a, b = old.splitlines(), new.splitlines()
    lines: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend({"op": " ", "text": t} for t in a[i1:i2])
        else:
            lines.extend({"op": "-", "text": t} for t in a[i1:i2])
            lines.extend({"op": "+", "text": t} for t in b[j1:j2])
    return lines


def cell_diff(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Cells of two notebooks matched in order: unchanged, changed (with a line diff), added
    or removed. Each cell is ``(cell_type, source)``."""
    out: list[dict[str, Any]] = []

    def cell(status: str, i: int | None, j: int | None) -> None:
        kind = (a[i] if i is not None else b[j])[0]  # type: ignore[index]
        old = a[i][1] if i is not None else ""
        new = b[j][1] if j is not None else ""
        out.append(
            {
                "status": status,
                "cell_type": kind,
                "index_a": i,
                "index_b": j,
                "lines": _line_diff(old, new),
            }
        )

    matcher = difflib.SequenceMatcher(None, list(a), list(b), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                cell("unchanged", i1 + k, j1 + k)
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            cell("changed", i1 + k, j1 + k)
        for i in range(i1 + paired, i2):
            cell("removed", i, None)
        for j in range(j1 + paired, j2):
            cell("added", None, j)
    return out
