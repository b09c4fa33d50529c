"""The compare view: params and metrics of several runs side by side, differences
highlighted, and one metric's step histories overlaid in one chart."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..comparison import value_rows
from ..errors import MlopsError
from ..views import format_value
from . import html as h
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


def diff_rows(runs: Sequence[Run], attribute: str, only_differences: bool = False) -> list[DiffRow]:
    """One row per key of ``params`` or ``metrics`` (system metrics left out): each run's value,
    and whether the runs differ on it (a run lacking the key differs from one that has it)."""
    return [
        DiffRow(row.key, [format_value(row.values[run.id]) if run.id in row.values else MISSING for run in runs],
                row.differs)
        for row in value_rows(runs, attribute, skip_system=True)
        if row.differs or not only_differences
    ]


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
        self.title = w.HTML("")
        self.only_differences = w.Checkbox(
            value=False, description="only differences", indent=False
        )
        self.only_differences.observe(self._only_differences_changed, names="value")
        self.params = w.HTML("")
        self.metrics = w.HTML("")
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
        self._draw_tables()
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
        self.params.value = diff_html(self.runs, diff_rows(self.runs, "params", only), "params")
        self.metrics.value = diff_html(self.runs, diff_rows(self.runs, "metrics", only), "metrics")

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
            set_series(self.figure, series, key)
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
