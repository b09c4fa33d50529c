"""Runs compared: their params and metrics side by side and, for two runs, their cells.

Below every face: ``jupyter mlops diff``, ``GET compare`` and the widgets' compare view all call
:func:`compare_runs`, with runs and a way to read their snapshots that they got from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from .cells import CellChange, CellDiff, diff_snapshots
from .values import ValueChange, ValueRow, value_changes, value_rows

if TYPE_CHECKING:
    from ..store.entities import Run

#: Reads a run's notebook snapshot (``Store.snapshot_bytes``): its bytes, None without one.
SnapshotReader = Callable[[str], "bytes | None"]


@dataclass
class Comparison:
    """Two or more runs side by side; ``cell_diff`` only for exactly two (None otherwise)."""

    runs: list[Run]
    params: list[ValueRow]
    metrics: list[ValueRow]
    cell_diff: CellDiff | None = None


def compare_runs(runs: Sequence[Run], snapshot: SnapshotReader | None = None) -> Comparison:
    """Params and metrics of ``runs`` side by side; with two runs and a ``snapshot`` reader,
    their notebooks cell by cell."""
    unique = list({run.id: run for run in runs}.values())
    if len(unique) < 2:
        raise InvalidInput("name two or more different runs to compare")
    result = Comparison(unique, value_rows(unique, "params"), value_rows(unique, "metrics"))
    if len(unique) == 2 and snapshot is not None:
        a, b = unique
        result.cell_diff = diff_snapshots(a.id, snapshot(a.id), b.id, snapshot(b.id))
    return result


@dataclass
class RunDiff:
    """What differs from run ``a`` to run ``b`` (``jupyter mlops diff``)."""

    a: str
    b: str
    params: list[ValueChange] = field(default_factory=list)
    metrics: list[ValueChange] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)  # the cells that differ
    unchanged_cells: int = 0
    snapshots: str = "both"  # or "missing for <ids>"

    @classmethod
    def of(cls, comparison: Comparison) -> RunDiff:
        if len(comparison.runs) != 2:
            raise InvalidInput(f"a diff is of two runs, not {len(comparison.runs)}")
        a, b = (run.id for run in comparison.runs)
        diff = cls(a, b, value_changes(comparison.params, a, b, numeric=False),
                   value_changes(comparison.metrics, a, b, numeric=True))
        cells = comparison.cell_diff
        if cells is None:
            diff.snapshots = "not read"
        elif cells.missing:
            diff.snapshots = "missing for " + ", ".join(cells.missing)
        else:
            diff.cells, diff.unchanged_cells = cells.changes, cells.unchanged
        return diff

    def to_dict(self) -> dict:  # type: ignore[type-arg]
        from .render import diff_dict

        return diff_dict(self)


__all__ = ["Comparison", "RunDiff", "SnapshotReader", "compare_runs"]
