"""What differs between two runs: params, last metrics, and their notebooks cell by cell
(``jupyter mlops diff``). Cells are matched with difflib on their sources; papermill's injected
parameters cell and error markers are left out (the params section already shows parameters)."""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..views import format_value
from .notebook import ERROR_MARKER_TAG, INJECTED_TAG, cell_source, cell_tags

if TYPE_CHECKING:
    from ..store.entities import Run

MAX_OUTPUT_LINES = 40


@dataclass
class ValueChange:
    key: str
    a: Any
    b: Any
    status: str  # "changed", "only in a", "only in b"
    delta: float | None = None


@dataclass
class CellChange:
    status: str  # "changed", "added", "removed", "outputs differ"
    a_index: int | None
    b_index: int | None
    cell_type: str
    diff: str


@dataclass
class RunDiff:
    a: str
    b: str
    params: list[ValueChange] = field(default_factory=list)
    metrics: list[ValueChange] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    unchanged_cells: int = 0
    snapshots: str = "both"  # or which run lacks one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff_runs(run_a: str | Run, run_b: str | Run, store: Any = None) -> RunDiff:
    """Compare two runs (ids, or unique id prefixes)."""
    from ..store import open_store
    from ..store.sqlstore import Store

    the_store = store if isinstance(store, Store) else open_store(store)
    a = the_store.find_run(run_a) if isinstance(run_a, str) else run_a
    b = the_store.find_run(run_b) if isinstance(run_b, str) else run_b
    result = RunDiff(
        a.id,
        b.id,
        params=_compare(a.params, b.params, numeric=False),
        metrics=_compare(a.metrics, b.metrics, numeric=True),
    )
    snap_a, snap_b = the_store.snapshot_bytes(a.id), the_store.snapshot_bytes(b.id)
    if snap_a is None or snap_b is None:
        missing = [r.id for r, s in ((a, snap_a), (b, snap_b)) if s is None]
        result.snapshots = "missing for " + ", ".join(missing)
        return result
    cells_a, cells_b = _cells(snap_a), _cells(snap_b)
    result.cells, result.unchanged_cells = _compare_cells(cells_a, cells_b)
    return result


def _compare(a: dict[str, Any], b: dict[str, Any], numeric: bool) -> list[ValueChange]:
    changes = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            changes.append(ValueChange(key, a[key], None, "only in a"))
        elif key not in a:
            changes.append(ValueChange(key, None, b[key], "only in b"))
        elif not _same(a[key], b[key]):
            delta = None
            if numeric and isinstance(a[key], (int, float)) and isinstance(b[key], (int, float)):
                delta = b[key] - a[key]
            changes.append(ValueChange(key, a[key], b[key], "changed", delta))
    return changes


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return bool(json.dumps(x, sort_keys=True) == json.dumps(y, sort_keys=True))


@dataclass
class _Cell:
    index: int  # position in the snapshot
    cell_type: str
    source: str
    output: str


def _cells(data: bytes) -> list[_Cell]:
    content = json.loads(data)
    cells = []
    for index, cell in enumerate(content.get("cells", [])):
        tags = cell_tags(cell)
        if ERROR_MARKER_TAG in tags or INJECTED_TAG in tags:
            continue
        cells.append(
            _Cell(index, str(cell.get("cell_type", "")), cell_source(cell), _output_text(cell))
        )
    return cells


def _output_text(cell: dict[str, Any]) -> str:
    parts = []
    for output in cell.get("outputs") or []:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(_joined(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data") or {}
            if "text/plain" in data:
                parts.append(_joined(data["text/plain"]))
        elif kind == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def _joined(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _unified(a: str, b: str, label_a: str, label_b: str) -> str:
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), label_a, label_b, lineterm="")
    return "\n".join(lines)


def _compare_cells(a: list[_Cell], b: list[_Cell]) -> tuple[list[CellChange], int]:
    matcher = difflib.SequenceMatcher(
        None, [c.source for c in a], [c.source for c in b], autojunk=False
    )
    changes: list[CellChange] = []
    unchanged = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                if x.output != y.output:
                    diff = _unified(
                        x.output, y.output, f"a/cell {x.index} output", f"b/cell {y.index} output"
                    )
                    changes.append(
                        CellChange("outputs differ", x.index, y.index, x.cell_type, _clip(diff))
                    )
                else:
                    unchanged += 1
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            x, y = a[i1 + k], b[j1 + k]
            diff = _unified(x.source, y.source, f"a/cell {x.index}", f"b/cell {y.index}")
            changes.append(CellChange("changed", x.index, y.index, y.cell_type, diff))
        for x in a[i1 + paired : i2]:
            changes.append(
                CellChange(
                    "removed",
                    x.index,
                    None,
                    x.cell_type,
                    _unified(x.source, "", f"a/cell {x.index}", "b/(none)"),
                )
            )
        for y in b[j1 + paired : j2]:
            changes.append(
                CellChange(
                    "added",
                    None,
                    y.index,
                    y.cell_type,
                    _unified("", y.source, "a/(none)", f"b/cell {y.index}"),
                )
            )
    return changes, unchanged


def _clip(text: str) -> str:
    lines = text.splitlines()
    if len(lines) <= MAX_OUTPUT_LINES:
        return text
    return "\n".join(
        [*lines[:MAX_OUTPUT_LINES], f"... ({len(lines) - MAX_OUTPUT_LINES} more lines)"]
    )


# --- renderings -------------------------------------------------------------------------------


def diff_json(diff: RunDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, default=str) + "\n"


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
        for change in diff.cells:
            where = change.a_index if change.b_index is None else change.b_index
            lines.append(f"  cell {where} ({change.cell_type}) {change.status}")
            lines.extend("    " + line for line in change.diff.splitlines())
    return "\n".join(lines) + "\n"
