"""Comparisons as text (``jupyter mlops diff``) and as JSON-ready dicts (``--format json``,
``GET compare``), so every face shows the same cells with the same statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ..render.export import strict_json
from ..render.text import format_value
from .direction import Direction, best_value, direction

if TYPE_CHECKING:
    from .cells import CellChange, CellDiff, DiffLine
    from .runs import Comparison, RunDiff
    from .values import ValueChange, ValueRow

#: Lines of context kept around a change in the text rendering, and at most this many lines a cell.
CONTEXT = 3
MAX_CELL_LINES = 40


def lines_dict(lines: Sequence[DiffLine]) -> list[dict[str, str]]:
    return [{"op": line.op, "text": line.text} for line in lines]


def cell_dict(cell: CellChange) -> dict[str, Any]:
    return {
        "status": cell.status,
        "cell_type": cell.cell_type,
        "index_a": cell.index_a,
        "index_b": cell.index_b,
        "lines": lines_dict(cell.lines),
        "output_lines": lines_dict(cell.output_lines),
    }


def cell_diff_dict(diff: CellDiff) -> dict[str, Any]:
    return {"a": diff.a, "b": diff.b, "missing": list(diff.missing),
            "cells": [cell_dict(cell) for cell in diff.cells]}


def rows_dict(rows: Sequence[ValueRow]) -> list[dict[str, Any]]:
    return [{"key": row.key, "values": row.values, "differs": row.differs} for row in rows]


def metric_rows_dict(rows: Sequence[ValueRow],
                     overrides: Mapping[str, Direction] | None = None) -> list[dict[str, Any]]:
    """Metric rows with which way each is better (``direction``) and the runs that hold its best
    value (``best``: run ids, ties all named; empty unless two or more runs have a finite value)."""
    out = rows_dict(rows)
    for row, entry in zip(rows, out, strict=True):
        numbers = {run_id: v for run_id, v in row.values.items()
                   if isinstance(v, int | float) and not isinstance(v, bool)}
        best = best_value(row.key, numbers.values(), overrides)
        finite = [v for v in numbers.values() if v == v and abs(v) != float("inf")]
        entry["direction"] = direction(row.key, overrides)
        entry["best"] = ([run_id for run_id, v in numbers.items() if v == best]
                         if best is not None and len(finite) >= 2 else [])
    return out


def comparison_dict(comparison: Comparison,
                    overrides: Mapping[str, Direction] | None = None) -> dict[str, Any]:
    """``params``, ``metrics`` and ``cell_diff`` of ``GET compare``; ``overrides`` name metrics
    whose better direction is not the one their name says (:mod:`.direction`)."""
    return {
        "params": rows_dict(comparison.params),
        "metrics": metric_rows_dict(comparison.metrics, overrides),
        "cell_diff": cell_diff_dict(comparison.cell_diff) if comparison.cell_diff else None,
    }


def diff_dict(diff: RunDiff) -> dict[str, Any]:
    cells = []
    for cell in diff.cells:
        entry = cell_dict(cell)
        entry["diff"] = "\n".join(cell_text(cell))
        cells.append(entry)
    return {"a": diff.a, "b": diff.b, "params": [asdict(c) for c in diff.params],
            "metrics": [asdict(c) for c in diff.metrics], "cells": cells,
            "unchanged_cells": diff.unchanged_cells, "snapshots": diff.snapshots}


def diff_json(diff: RunDiff) -> str:
    return strict_json(diff_dict(diff)) + "\n"


def _hunks(lines: Sequence[DiffLine]) -> list[str]:
    """The changed lines with ``CONTEXT`` lines around them, ``...`` where some are left out."""
    keep = set()
    for i, line in enumerate(lines):
        if line.op != " ":
            keep.update(range(max(0, i - CONTEXT), min(len(lines), i + CONTEXT + 1)))
    out: list[str] = []
    last = -1
    for i in sorted(keep):
        if last >= 0 and i > last + 1:
            out.append("...")
        out.append(f"{lines[i].op}{lines[i].text}")
        last = i
    if len(out) > MAX_CELL_LINES:
        out = [*out[:MAX_CELL_LINES], f"... ({len(out) - MAX_CELL_LINES} more lines)"]
    return out


def cell_text(cell: CellChange) -> list[str]:
    """A changed cell as diff lines: its source (added and removed cells whole), then its output."""
    a = f"a/cell {cell.index_a}" if cell.index_a is not None else "a/(none)"
    b = f"b/cell {cell.index_b}" if cell.index_b is not None else "b/(none)"
    out = []
    if cell.status != "outputs differ":
        out += [f"--- {a}", f"+++ {b}", *_hunks(cell.lines)]
    if cell.output_lines:
        out += [f"--- {a} output", f"+++ {b} output", *_hunks(cell.output_lines)]
    return out


def diff_text(diff: RunDiff) -> str:
    lines = [f"--- run {diff.a}", f"+++ run {diff.b}"]

    def values(title: str, changes: list[ValueChange]) -> None:
        if not changes:
            lines.append(f"{title}: same")
            return
        lines.append(f"{title}:")
        width = max(len(c.key) for c in changes)
        for change in changes:
            a = "-" if change.status == "only in b" else format_value(change.a)
            b = "-" if change.status == "only in a" else format_value(change.b)
            delta = f"  ({change.delta:+.6g})" if change.delta is not None else ""
            lines.append(f"  {change.key.ljust(width)}  {a} -> {b}{delta}")

    values("params", diff.params)
    values("metrics", diff.metrics)
    if diff.snapshots != "both":
        lines.append(f"cells: not compared, the notebook snapshot is {diff.snapshots}")
    elif not diff.cells:
        lines.append(f"cells: same ({diff.unchanged_cells} cells)")
    else:
        lines.append(f"cells: {len(diff.cells)} differ, {diff.unchanged_cells} the same")
        for cell in diff.cells:
            where = cell.index_a if cell.index_b is None else cell.index_b
            lines.append(f"  cell {where} ({cell.cell_type}) {cell.status}")
            lines.extend("    " + line for line in cell_text(cell))
    return "\n".join(lines) + "\n"


__all__ = ["cell_diff_dict", "cell_text", "comparison_dict", "diff_dict", "diff_json", "diff_text",
           "metric_rows_dict"]
