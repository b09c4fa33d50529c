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
import threading
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


class _History:
    """The kernel's history as (count, source) pairs, extended by the cells run since the last
    call instead of rebuilt: IPython appends to it (and a reset empties it in place, so what was
    read before is compared, at C speed, not trusted)."""

    def __init__(self) -> None:
        self.read: list[str] = []  # the entries read so far
        self.pairs: list[tuple[int, str]] = []

    def of(self, raw: list[str]) -> list[tuple[int, str]]:
        seen = len(self.read)
        if len(raw) < seen or raw[:seen] != self.read:
            self.read, self.pairs, seen = [], [], 0
        self.pairs.extend((count, raw[count]) for count in range(max(seen, 1), len(raw)) if raw[count].strip())
        self.read.extend(raw[seen:])
        return list(self.pairs)


_history_lock = threading.Lock()
_history = _History()


def kernel_history(shell: Any) -> list[tuple[int, str]]:
    """``(execution count, raw source)`` of every cell this kernel ran and kept in its history."""
    manager = getattr(shell, "history_manager", None)
    raw = getattr(manager, "input_hist_raw", None)
    if raw is None:
        raw = shell.user_ns.get("_ih") or shell.user_ns.get("In") or []
    if not isinstance(raw, list):
        return [(count, source) for count, source in enumerate(raw) if count > 0 and source.strip()]
    with _history_lock:
        return _history.of(raw)


class _Matcher:
    """How the cells of one saved notebook (or of none) are matched, and how far a record
    built with it got: a kernel's history only grows, so each tracked cell extends the record
    of the previous one instead of matching every cell again."""

    def __init__(self, saved: SavedNotebook | None, trust_counts: bool) -> None:
        self.key = (saved.digest if saved is not None else None, trust_counts)
        self.saved = saved
        self.by_count: dict[int, Any] = {}
        self.by_source: dict[str, list[int]] = {}
        if saved is not None:
            code_cells = saved.code_cells
            if trust_counts:
                self.by_count = {c.execution_count: c for c in code_cells if c.execution_count is not None}
            for cell in code_cells:
                self.by_source.setdefault(_normalise(cell.source), []).append(cell.index)
        self.history: list[tuple[int, str]] = []
        self.record: list[ExecutedCell] = []
        self.furthest = -1  # the latest notebook position run so far

    def extend(self, history: Sequence[tuple[int, str]]) -> list[ExecutedCell]:
        done = len(self.history)
        if len(history) < done or list(history[:done]) != self.history:  # not a continuation
            self.history, self.record, self.furthest = [], [], -1
            done = 0
        for position in range(done, len(history)):
            count, source = history[position]
            self.record.append(self._cell(position, count, source))
            self.history.append((count, source))
        return list(self.record)

    def _cell(self, position: int, count: int, source: str) -> ExecutedCell:
        if self.saved is None:
            return ExecutedCell(position=position, execution_count=count, source_hash=source_hash(source),
                                source=source, out_of_order=False, stale=False)
        text = _normalise(source)
        counted = self.by_count.get(count)
        stale = False
        where: int | None
        if counted is not None and _normalise(counted.source) == text:
            where = counted.index
        elif text in self.by_source:
            where = _nearest(self.by_source[text], self.furthest)
        elif counted is not None:
            where, stale = counted.index, True
        else:
            where = None  # not in the saved notebook (a new cell not saved yet, or deleted)
        out_of_order = where is not None and where < self.furthest
        if where is not None:
            self.furthest = max(self.furthest, where)
        return ExecutedCell(position=position, execution_count=count, source_hash=source_hash(source),
                            source=source, out_of_order=out_of_order, stale=stale)


_matcher_lock = threading.Lock()
_matcher: _Matcher | None = None


def build_record(history: Sequence[tuple[int, str]], saved: SavedNotebook | None) -> list[ExecutedCell]:
    """The execution record of ``history`` (oldest first) against the saved notebook."""
    global _matcher
    trust_counts = False
    if saved is not None:
        last_count = max((count for count, _ in history), default=0)
        trust_counts = all(c.execution_count is None or c.execution_count <= last_count for c in saved.code_cells)
    key = (saved.digest if saved is not None else None, trust_counts)
    with _matcher_lock:
        if _matcher is None or _matcher.key != key:
            _matcher = _Matcher(saved, trust_counts)
        return _matcher.extend(history)


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
