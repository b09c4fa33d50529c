"""Comparing runs, for every face: values side by side (:mod:`.values`), the one cell matcher
(:mod:`.cells`), runs compared (:mod:`.runs`) and their text and JSON renderings (:mod:`.render`).

A leaf: it reads nothing from the store itself; faces hand it runs and a snapshot reader.
"""

from __future__ import annotations

from .cells import CellChange, CellDiff, DiffLine, diff_snapshots, match_cells, notebook_cells
from .runs import Comparison, RunDiff, compare_runs
from .values import ValueChange, ValueRow, same_value, value_changes, value_rows

__all__ = [
    "CellChange",
    "CellDiff",
    "Comparison",
    "DiffLine",
    "RunDiff",
    "ValueChange",
    "ValueRow",
    "compare_runs",
    "diff_snapshots",
    "match_cells",
    "notebook_cells",
    "same_value",
    "value_changes",
    "value_rows",
]
