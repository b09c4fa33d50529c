"""The cells of two notebook snapshots matched to each other: the one cell matcher.

A snapshot is read as plain JSON. papermill's own cells (the injected parameters, whose values
the params already show, and the error markers above a failed cell) are not the user's cells and
are left out. Cells are matched in order on their type and source (difflib's longest matching
blocks, as ``diff`` does with lines); a pair of cells with equal sources whose outputs differ is
``outputs differ``; a run of replaced cells is paired in order as ``changed``, the rest are
``added`` or ``removed``. Outputs are compared as text: streams, ``text/plain`` results and
displays, and errors (``ename: evalue``); images are left out.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..notebook.cells import is_papermill_cell

CELL_STATUSES = ("unchanged", "changed", "outputs differ", "added", "removed")


@dataclass(frozen=True)
class NotebookCell:
    """A user cell of a snapshot: its position in the notebook, type, source and output text."""

    index: int
    cell_type: str
    source: str
    output: str = ""


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "-" only in a, "+" only in b
    text: str


@dataclass(frozen=True)
class CellChange:
    """One cell of the pair: ``lines`` is its source, line by line, as a diff; ``output_lines``
    the same for its output text (empty when the outputs are the same)."""

    status: str  # one of CELL_STATUSES
    cell_type: str
    index_a: int | None
    index_b: int | None
    lines: tuple[DiffLine, ...] = ()
    output_lines: tuple[DiffLine, ...] = ()


@dataclass
class CellDiff:
    """The cells of runs ``a`` and ``b``; ``missing`` names the runs that have no snapshot
    (then nothing is compared)."""

    a: str
    b: str
    missing: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)

    @property
    def changes(self) -> list[CellChange]:
        return [cell for cell in self.cells if cell.status != "unchanged"]

    @property
    def unchanged(self) -> int:
        return sum(1 for cell in self.cells if cell.status == "unchanged")


def _joined(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def output_text(cell: dict[str, Any]) -> str:
    """What a cell printed and showed, as text."""
    parts = []
    for output in cell.get("outputs") or []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(_joined(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data") or {}
            if isinstance(data, dict) and "text/plain" in data:
                parts.append(_joined(data["text/plain"]))
        elif kind == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def notebook_cells(data: bytes | str, origin: str = "the snapshot") -> list[NotebookCell]:
    """The user cells of a notebook's JSON (papermill's injected and error-marker cells left out)."""
    try:
        content = json.loads(data)
    except ValueError as exc:
        raise InvalidInput(f"{origin} is not notebook JSON: {exc}") from exc
    raw = content.get("cells") if isinstance(content, dict) else None
    if not isinstance(raw, list):
        raise InvalidInput(f"{origin} is not a notebook: it has no list of cells")
    cells = []
    for index, cell in enumerate(raw):
        if not isinstance(cell, dict) or is_papermill_cell(cell):
            continue
        cells.append(NotebookCell(index, str(cell.get("cell_type", "code")),
                                  _joined(cell.get("source", "")), output_text(cell)))
    return cells


def line_diff(old: str, new: str) -> tuple[DiffLine, ...]:
    """``old`` and ``new`` line by line: the lines they share, those only in one."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine(" ", text) for text in a[i1:i2])
        else:
            lines.extend(DiffLine("-", text) for text in a[i1:i2])
            lines.extend(DiffLine("+", text) for text in b[j1:j2])
    return tuple(lines)


def match_cells(a: Sequence[NotebookCell], b: Sequence[NotebookCell]) -> list[CellChange]:
    """Every cell of ``a`` and ``b`` in notebook order, matched as the module says."""
    out: list[CellChange] = []

    def pair(x: NotebookCell | None, y: NotebookCell | None, status: str) -> None:
        source = line_diff(x.source if x else "", y.source if y else "")
        outputs = () if x and y and x.output == y.output else line_diff(x.output if x else "", y.output if y else "")
        if status == "unchanged" and outputs:
            status = "outputs differ"
        kind = (y or x).cell_type  # type: ignore[union-attr]
        out.append(CellChange(status, kind, x.index if x else None, y.index if y else None, source, outputs))

    keys_a = [(cell.cell_type, cell.source) for cell in a]
    keys_b = [(cell.cell_type, cell.source) for cell in b]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if tag == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                pair(x, y, "unchanged")
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            pair(a[i1 + k], b[j1 + k], "changed")
        for x in a[i1 + paired : i2]:
            pair(x, None, "removed")
        for y in b[j1 + paired : j2]:
            pair(None, y, "added")
    return out


def diff_snapshots(a: str, snapshot_a: bytes | None, b: str, snapshot_b: bytes | None) -> CellDiff:
    """The cell diff of runs ``a`` and ``b`` from their snapshots' bytes (None: no snapshot)."""
    missing = [run_id for run_id, data in ((a, snapshot_a), (b, snapshot_b)) if data is None]
    result = CellDiff(a, b, missing)
    if not missing:
        assert snapshot_a is not None and snapshot_b is not None
        result.cells = match_cells(notebook_cells(snapshot_a, f"the snapshot of run {a}"),
                                   notebook_cells(snapshot_b, f"the snapshot of run {b}"))
    return result


__all__ = ["CELL_STATUSES", "CellChange", "CellDiff", "DiffLine", "NotebookCell", "diff_snapshots",
           "line_diff", "match_cells", "notebook_cells", "output_text"]
