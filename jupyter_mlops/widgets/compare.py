"""The compare view: params and metrics of several runs side by side, differences
highlighted, the notebook cells of two runs that differ, and one metric's step histories
overlaid in one chart. What differs is :mod:`jupyter_mlops.compare`'s answer, the same as
``jupyter mlops diff`` and the sidebar's."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..compare import CellDiff, Comparison, compare_runs
from ..compare.cells import CellChange, DiffLine
from ..errors import MlopsError
from ..render import html as h
from ..render.palette import ADDED_BACKGROUND, REMOVED_BACKGROUND, run_colours
from ..render.text import format_value
from .charts import new_figure, set_series

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store

MISSING = "—"  # shown where a run lacks the key


@dataclass(frozen=True)
class DiffRow:
    key: str
    values: list[str]  # one text per run, MISSING where a run lacks the key
    differs: bool


def diff_rows(runs: Sequence[Run], attribute: str, only_differences: bool = False,
              comparison: Comparison | None = None) -> list[DiffRow]:
    """One row per key of ``params`` or ``metrics`` (system metrics left out): each run's value,
    and whether the runs differ on it (a run lacking the key differs from one that has it)."""
    compared = comparison if comparison is not None else compare_runs(runs)
    return [
        DiffRow(row.key, [format_value(row.values[run.id]) if run.id in row.values else MISSING for run in runs],
                row.differs)
        for row in getattr(compared, attribute)
        if not row.key.startswith("system/") and (row.differs or not only_differences)
    ]


def _lines_html(lines: Sequence[DiffLine]) -> str:
    shown = []
    for line in lines:
        background = {"+": ADDED_BACKGROUND, "-": REMOVED_BACKGROUND}.get(line.op)
        style = f' style="background:{background}"' if background else ""
        shown.append(f'<span class="mlops-diff-line"{style}>{h.text(line.op)} {h.text(line.text)}</span>')
    return '<pre style="margin:2px 0;white-space:pre-wrap">' + "\n".join(shown) + "</pre>"


def cell_title(cell: CellChange) -> str:
    """``cell 3 changed``, ``cell 2 → 3 outputs differ``, ``cell 4 added`` (counted from 1)."""
    if cell.status == "added":
        return f"cell {(cell.index_b or 0) + 1} added"
    if cell.status == "removed":
        return f"cell {(cell.index_a or 0) + 1} removed"
    moved = "" if cell.index_a == cell.index_b else f" → {(cell.index_b or 0) + 1}"
    return f"cell {(cell.index_a or 0) + 1}{moved} {cell.status}"


def cells_html(diff: CellDiff | None) -> str:
    """The cells of two runs' notebooks that differ, each with its source and output diff."""
    if diff is None:
        return ""
    if diff.missing:
        return h.empty(f"no notebook snapshot for {' and '.join(diff.missing)}: cells not compared")
    changes = diff.changes
    if not changes:
        return h.empty(f"the notebooks' {diff.unchanged} cells are the same")
    parts = [f"<div><b>cells</b>: {len(changes)} differ, {diff.unchanged} the same</div>"]
    for cell in changes:
        body = _lines_html(cell.lines) if cell.status != "outputs differ" else ""
        if cell.output_lines:
            body += "<div>output</div>" + _lines_html(cell.output_lines)
        parts.append(
            f'<div class="mlops-cell-change mlops-cell-{h.text(cell.status.replace(" ", "-"))}">'
            f"<div><code>{h.text(cell_title(cell))}</code> ({h.text(cell.cell_type)})</div>{body}</div>"
        )
    return "".join(parts)


def diff_html(runs: Sequence[Run], rows: Sequence[DiffRow], what: str) -> str:
    if not rows:
        return h.empty(
            f"no {what} differ" if any(getattr(r, what, None) for r in runs) else f"no {what}"
        )
    header = [what, *(f"{run.name} ({run.id})" for run in runs)]
    body = []
    attributes = []
    for row in rows:
        key = f"<b>{h.text(row.key)}</b>" if row.differs else h.text(row.key)
        body.append([key, *(h.text(v) for v in row.values)])
        attributes.append(
            f' class="mlops-differs" style="background:{h.DIFF_BACKGROUND}"'
            if row.differs
            else ' class="mlops-same"'
        )
    return h.table(header, body, row_attributes=attributes)


class RunCompare(w.VBox):
    """Two or more runs side by side. ``refresh()`` reloads them (while some run)."""

    def __init__(self, store: Store, lock: threading.RLock | None = None) -> None:
        self.store = store
        self._lock = lock or threading.RLock()  # user events and live refreshes take turns
        self.runs: list[Run] = []
        self.comparison: Comparison | None = None
        self.title = w.HTML("")
        self.only_differences = w.Checkbox(
            value=False, description="only differences", indent=False
        )
        self.only_differences.observe(self._only_differences_changed, names="value")
        self.params = w.HTML("")
        self.metrics = w.HTML("")
        self.cells = w.HTML("")
        self.metric_key = w.Dropdown(
            description="chart", options=[], layout=w.Layout(width="320px")
        )
        self.metric_key.observe(self._metric_changed, names="value")
        self.chart_message = w.HTML("")
        self.chart_box = w.Box([])
        self.figure: Any = None
        self._drawing = False
        super().__init__(
            [
                self.title,
                self.only_differences,
                self.params,
                self.metrics,
                self.cells,
                self.metric_key,
                self.chart_message,
                self.chart_box,
            ]
        )
        self.add_class("mlops-compare")

    @property
    def running(self) -> bool:
        return any(run.status == "running" for run in self.runs)

    def show(self, runs: Sequence[Run]) -> None:
        if len(runs) < 2:
            raise MlopsError("select two or more runs to compare (tick their boxes in the table)")
        self.runs = list(runs)
        self._draw(new=True)

    def refresh(self) -> bool:
        """Reload the compared runs; True while one of them runs."""
        if not self.runs:
            return False
        self.runs = [self.store.get_run(run.id) for run in self.runs]
        self._draw(new=False)
        return self.running

    def _draw(self, new: bool) -> None:
        names = ", ".join(f"{run.name} ({run.id})" for run in self.runs)
        self.title.value = f"<div>comparing {len(self.runs)} runs: {h.text(names)}</div>"
        try:
            self.comparison = compare_runs(self.runs, self.store.snapshot_bytes)
            cells = cells_html(self.comparison.cell_diff)
        except MlopsError as exc:  # a snapshot that is not notebook JSON: values still compare
            self.comparison = compare_runs(self.runs)
            cells = h.error(str(exc))
        self._draw_tables()
        self.cells.value = cells
        keys = sorted(
            {key for run in self.runs for key in self.store.metric_keys(run.id)},
            key=lambda k: (k.startswith("system/"), k),
        )
        self._drawing = True
        try:
            current = self.metric_key.value
            if list(self.metric_key.options) != keys:
                self.metric_key.options = keys
            self.metric_key.value = (
                current if (current in keys and not new) else (keys[0] if keys else None)
            )
        finally:
            self._drawing = False
        self.draw_chart()

    def _draw_tables(self) -> None:
        only = self.only_differences.value
        compared = self.comparison
        self.params.value = diff_html(self.runs, diff_rows(self.runs, "params", only, compared), "params")
        self.metrics.value = diff_html(self.runs, diff_rows(self.runs, "metrics", only, compared), "metrics")

    def draw_chart(self) -> None:
        key = self.metric_key.value
        if not key:
            self.chart_message.value = h.empty("none of these runs logged a metric")
            self.chart_box.children = ()
            return
        try:
            if self.figure is None:
                self.figure = new_figure()
            series = [
                (f"{run.name} ({run.id})", self.store.metric_history(run.id, key))
                for run in self.runs
            ]
            colours = run_colours([(run.id, run.colour_slot) for run in self.runs])
            set_series(self.figure, series, key, [colours[run.id] for run in self.runs])
        except MlopsError as exc:
            self.chart_message.value = h.error(str(exc))
            return
        self.chart_message.value = ""
        if tuple(self.chart_box.children) != (self.figure,):
            self.chart_box.children = (self.figure,)

    def _metric_changed(self, _: dict[str, Any]) -> None:
        with self._lock:
            if not self._drawing:
                self.draw_chart()

    def _only_differences_changed(self, _: dict[str, Any]) -> None:
        with self._lock:
            self._draw_tables()

    def close(self) -> None:
        if self.figure is not None:
            self.figure.close()
        super().close()
