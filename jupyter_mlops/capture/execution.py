"""The execution record: which cells the kernel ran, in which order, and whether the saved
notebook still holds what ran.

Each executed cell is matched to a cell of the saved notebook: first the cell with the
same execution count and the same source, then any cell with the same source, then the
cell with the same execution count (whose source then differs: the cell was edited after
it ran, so it is *stale*). A cell is *out of order* when it sits earlier in the notebook
than a cell the kernel ran before it.

Execution counts in the file are only trusted when they can come from this kernel: a
saved count above the kernel's current count belongs to an earlier session.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from ..store.entities import ExecutedCell
from .notebook import SavedNotebook

_hashes: dict[str, str] = {}


def source_hash(source: str) -> str:
    """sha256 of a cell's source (cached: the same sources are hashed again on every run)."""
    digest = _hashes.get(source)
    if digest is None:
        if len(_hashes) > 10_000:
            _hashes.clear()
        digest = _hashes[source] = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return digest


def kernel_history(shell: Any) -> list[tuple[int, str]]:
    """``(execution count, raw source)`` of every cell this kernel ran and kept in its history."""
    manager = getattr(shell, "history_manager", None)
    raw = getattr(manager, "input_hist_raw", None)
    if raw is None:
        raw = shell.user_ns.get("_ih") or shell.user_ns.get("In") or []
    return [(count, source) for count, source in enumerate(raw) if count > 0 and source.strip()]


def build_record(history: Sequence[tuple[int, str]], saved: SavedNotebook | None) -> list[ExecutedCell]:
    """The execution record of ``history`` (oldest first) against the saved notebook."""
    if saved is None:
        return [ExecutedCell(position=i, execution_count=count, source_hash=source_hash(source), source=source,
                             out_of_order=False, stale=False)
                for i, (count, source) in enumerate(history)]
    code_cells = saved.code_cells
    last_count = max((count for count, _ in history), default=0)
    trust_counts = all(c.execution_count is None or c.execution_count <= last_count for c in code_cells)
    by_count = {c.execution_count: c for c in code_cells if c.execution_count is not None} if trust_counts else {}
    by_source: dict[str, list[int]] = {}
    for cell in code_cells:
        by_source.setdefault(_normalise(cell.source), []).append(cell.index)

    record = []
    furthest = -1  # the latest notebook position run so far
    for position, (count, source) in enumerate(history):
        text = _normalise(source)
        counted = by_count.get(count)
        stale = False
        where: int | None
        if counted is not None and _normalise(counted.source) == text:
            where = counted.index
        elif text in by_source:
            where = _nearest(by_source[text], furthest)
        elif counted is not None:
            where, stale = counted.index, True
        else:
            where = None  # not in the saved notebook (a new cell not saved yet, or deleted)
        out_of_order = where is not None and where < furthest
        if where is not None:
            furthest = max(furthest, where)
        record.append(ExecutedCell(position=position, execution_count=count, source_hash=source_hash(source),
                                   source=source, out_of_order=out_of_order, stale=stale))
    return record


def executed_record(notebook: Any) -> list[ExecutedCell]:
    """The execution record of a notebook executed top to bottom (by papermill, for the
    runner): its code cells that have an execution count, the injected-parameters cell
    included, in the order they ran. None is stale or out of order: the kernel ran the
    notebook's own sources."""
    ran = []
    for cell in notebook.get("cells", []):
        count = cell.get("execution_count")
        if cell.get("cell_type") == "code" and isinstance(count, int):
            source = cell.get("source", "")
            ran.append((count, source if isinstance(source, str) else "".join(source)))
    return [ExecutedCell(position=position, execution_count=count, source_hash=source_hash(source), source=source,
                         out_of_order=False, stale=False)
            for position, (count, source) in enumerate(sorted(ran, key=lambda item: item[0]))]


@functools.lru_cache(maxsize=4096)
def _normalise(source: str) -> str:
    """Sources compare equal when they differ only in trailing white space (editors strip it)."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def normalised_source(source: str) -> str:
    """A cell's source as the record compares it (trailing white space dropped)."""
    return _normalise(source)


def _nearest(indexes: list[int], after: int) -> int:
    """Of several notebook cells with the same source, the first one not before ``after``."""
    for index in indexes:
        if index >= after:
            return index
    return indexes[-1]


__all__ = ["build_record", "executed_record", "kernel_history", "normalised_source", "source_hash"]
