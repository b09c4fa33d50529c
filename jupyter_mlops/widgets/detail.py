"""The detail view of one run: facts, params, metrics with a step chart, tags, execution
record (stale and out-of-order cells marked), artifacts, and the re-run form."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import MlopsError, describe_error
from ..render import html as h
from ..render.palette import NEUTRAL, OUT_OF_ORDER, STALE, run_colour
from ..render.text import format_duration, format_time, format_value
from .charts import new_figure, set_series
from .rerun import RerunForm

if TYPE_CHECKING:
    from ..store.entities import Artifact, ExecutedCell, Run
    from ..store.sqlstore import Store

TAB_TITLES = ("params", "metrics", "tags", "execution record", "artifacts", "re-run")
METRICS_TAB = TAB_TITLES.index("metrics")
RERUN_TAB = TAB_TITLES.index("re-run")
STALE_COLOUR = STALE
OUT_OF_ORDER_COLOUR = OUT_OF_ORDER


def facts_html(run: Run) -> str:
    parts = [
        f'<b class="mlops-run-name">{h.text(run.name)}</b> <code>{h.text(run.id)}</code> '
        f"{h.status_badge(run.status)}{h.reproduced_badge(run.tags)}",
        f"experiment {h.text(run.experiment)}",
        f"started {h.text(format_time(run.started_at))}",
        f"duration {h.text(format_duration(run.duration))}",
        f"source {h.text(run.source)}",
    ]
    if run.notebook_path:
        parts.append(f"notebook <code>{h.text(run.notebook_path)}</code>")
    if run.parent_id:
        parts.append(f"parent <code>{h.text(run.parent_id)}</code>")
    lines = [" · ".join(parts)]
    if run.note:
        lines.append(f"<div>note: {h.text(run.note)}</div>")
    if run.error:
        lines.append(
            h.error(
                describe_error(run.error),
                str(run.error.get("traceback", "") or ""),
            )
        )
    return "".join(f"<div>{line}</div>" for line in lines)


def pairs_html(items: dict[str, Any], what: str) -> str:
    if not items:
        return h.empty(f"no {what}")
    return h.table(
        ["key", "value"], ([h.text(k), h.text(format_value(v))] for k, v in sorted(items.items()))
    )


def execution_html(cells: Sequence[ExecutedCell]) -> str:
    if not cells:
        return h.empty("no execution record (the run did not come from a notebook kernel)")
    rows = []
    attributes = []
    for cell in cells:
        marks = ""
        if cell.stale:
            marks += h.mark("stale", STALE_COLOUR)
        if cell.out_of_order:
            marks += h.mark("out of order", OUT_OF_ORDER_COLOUR)
        source = cell.source.rstrip()
        first = source.strip().splitlines()[0] if source.strip() else ""
        code = (
            f"<details><summary><code>{h.text(first[:100])}</code></summary>"
            f'<pre style="margin:2px 0">{h.text(source)}</pre></details>'
        )
        count = "-" if cell.execution_count is None else str(cell.execution_count)
        rows.append(
            [
                h.text(cell.position),
                f"[{h.text(count)}]",
                f"<code>{h.text(cell.source_hash[:8])}</code>",
                code,
                marks,
            ]
        )
        flags = " ".join(
            name for name, on in (("stale", cell.stale), ("out-of-order", cell.out_of_order)) if on
        )
        attributes.append(
            f' class="mlops-cell {flags}"'.rstrip() if flags else ' class="mlops-cell"'
        )
    legend = (
        f'<div style="font-size:11px;color:{NEUTRAL}">cells the kernel ran up to this run, in order. '
        f"{h.mark('stale', STALE_COLOUR)} the cell has changed in the notebook since it ran; "
        f"{h.mark('out of order', OUT_OF_ORDER_COLOUR)} it sits above a cell that ran before it.</div>"
    )
    return legend + h.table(["#", "count", "hash", "source", ""], rows, row_attributes=attributes)


def artifacts_html(artifacts: Sequence[Artifact]) -> str:
    if not artifacts:
        return h.empty("no artifacts")
    return h.table(
        ["name", "size", "digest", "logged"],
        (
            [
                h.text(a.name),
                h.text(_size(a.size)),
                f"<code>{h.text(a.digest[:12])}</code>",
                h.text(format_time(a.created_at)),
            ]
            for a in artifacts
        ),
    )


def metrics_html(run: Run) -> str:
    shown = {k: v for k, v in run.metrics.items() if not k.startswith("system/")}
    system = {k: v for k, v in run.metrics.items() if k.startswith("system/")}
    return pairs_html(shown, "metrics") + (pairs_html(system, "system metrics") if system else "")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f} {unit}"


class RunDetail(w.VBox):
    """Everything about one run. ``refresh()`` reloads it (live updates while it runs)."""

    def __init__(
        self,
        store: Store,
        on_rerun_started: Callable[[str], None] | None = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.store = store
        self._lock = lock or threading.RLock()  # user events and live refreshes take turns
        self.run: Run | None = None
        self.facts = w.HTML("")
        self.params = w.HTML("")
        self.metrics = w.HTML("")
        self.metric_key = w.Dropdown(
            description="chart", options=[], layout=w.Layout(width="320px")
        )
        self.chart_box = w.Box([])
        self.chart_message = w.HTML("")
        self.figure: Any = None
        self.tags = w.HTML("")
        self.execution = w.HTML("")
        self.artifacts = w.HTML("")
        self.rerun = RerunForm(store, on_started=on_rerun_started, lock=self._lock)
        metrics_tab = w.VBox([self.metrics, self.metric_key, self.chart_message, self.chart_box])
        self.tabs = w.Tab(
            [self.params, metrics_tab, self.tags, self.execution, self.artifacts, self.rerun],
            titles=TAB_TITLES,
        )
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.metric_key.observe(self._metric_changed, names="value")
        self._drawing = False
        super().__init__([self.facts, self.tabs])
        self.add_class("mlops-run-detail")

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.status == "running"

    def show(self, run: Run) -> None:
        """Show ``run`` in the tab that is open; the chart and the re-run form are made when
        their tab is opened (they load plotly, and the run's notebook snapshot)."""
        self.run = run
        self._draw(run, new=True)
        self.rerun.show(run)
        if self.tabs.selected_index == RERUN_TAB:
            self.rerun.prepare()

    def refresh(self) -> bool:
        """Reload the shown run; True while it is running."""
        if self.run is None:
            return False
        run = self.store.get_run(self.run.id)
        self.run = run
        self._draw(run, new=False)
        return run.status == "running"

    def _draw(self, run: Run, new: bool) -> None:
        self.facts.value = facts_html(run)
        self.params.value = pairs_html(run.params, "params")
        self.metrics.value = metrics_html(run)
        self.tags.value = pairs_html(run.tags, "tags")
        keys = run.metric_keys()
        options = sorted(keys, key=lambda k: (k.startswith("system/"), k))
        self._drawing = True
        try:
            current = self.metric_key.value
            if list(self.metric_key.options) != options:
                self.metric_key.options = options
            if new or current not in options:
                self.metric_key.value = options[0] if options else None
            else:
                self.metric_key.value = current
        finally:
            self._drawing = False
        if new:
            self.execution.value = execution_html(run.execution_record())
            self.artifacts.value = artifacts_html(run.artifacts())
            self.chart_message.value = "" if options else h.empty("no metric was logged")
        else:
            self.artifacts.value = artifacts_html(run.artifacts())
        if self.tabs.selected_index == METRICS_TAB:
            self.draw_chart()

    def draw_chart(self) -> None:
        """Draw the step chart of the chosen metric (built on first use: plotly loads then)."""
        run, key = self.run, self.metric_key.value
        if run is None or not key:
            self.chart_box.children = ()
            return
        try:
            if self.figure is None:
                self.figure = new_figure()
            set_series(self.figure, [(key, self.store.metric_history(run.id, key))], key,
                       [run_colour(run.id, run.colour_slot)])
        except MlopsError as exc:
            self.chart_message.value = h.error(str(exc))
            return
        self.chart_message.value = ""
        if tuple(self.chart_box.children) != (self.figure,):
            self.chart_box.children = (self.figure,)

    def _tab_changed(self, change: dict[str, Any]) -> None:
        with self._lock:
            if change["new"] == METRICS_TAB:
                self.draw_chart()
            elif change["new"] == RERUN_TAB:
                self.rerun.prepare()

    def _metric_changed(self, change: dict[str, Any]) -> None:
        with self._lock:
            if not self._drawing and self.tabs.selected_index == METRICS_TAB:
                self.draw_chart()

    def close(self) -> None:
        self.rerun.close()
        if self.figure is not None:
            self.figure.close()
        super().close()
