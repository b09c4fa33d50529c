"""The small chart under a control panel: the chosen metric of each run against the parameter
that changed (a plotly ``FigureWidget``; without plotly the panel says how to get it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import MlopsError
from ..render import html as h
from ..render.palette import ERROR, POINT
from ..render.text import format_value
from .panel_model import Point, chart_param, chart_points, metric_keys

if TYPE_CHECKING:
    from ..store.entities import Run

CHART_HEIGHT = 240
CHART_WIDTH = 480
FAILED_COLOUR = ERROR
POINT_COLOUR = POINT


class PanelChart(w.VBox):
    """Metric and parameter pickers over the chart; :meth:`show` redraws it from the runs."""

    def __init__(self, log_params: Sequence[str] = ()) -> None:
        self.log_params = set(log_params)
        self.metric = w.Dropdown(
            description="metric",
            options=[],
            layout=w.Layout(width="240px"),
            style={"description_width": "50px"},
        )
        self.param = w.Dropdown(
            description="against",
            options=[],
            layout=w.Layout(width="240px"),
            style={"description_width": "50px"},
        )
        self.metric.add_class("mlops-controls-metric")
        self.param.add_class("mlops-controls-param")
        self.figure: Any = None
        self.message = w.HTML("")
        # shown from the start, so the page's theme is known before the chart is drawn
        self._probe = _theme_probe()
        self.chart_box = w.Box([self._probe] if self._probe is not None else [])
        self.chart_box.add_class("mlops-controls-chart")
        self._runs: Sequence[Run] = ()
        self._drawing = False
        self._chosen: dict[str, str | None] = {
            "metric": None,
            "param": None,
        }  # a user's pick sticks
        self.metric.observe(lambda change: self._picked("metric", change), names="value")
        self.param.observe(lambda change: self._picked("param", change), names="value")
        self.pickers = w.HBox([self.metric, self.param])
        super().__init__([self.pickers, self.message, self.chart_box])
        self.add_class("mlops-controls-chart-area")
        self.points: list[Point] = []
        self.layout.display = "none"  # until a run has a metric

    def _picked(self, which: str, change: dict[str, Any]) -> None:
        if self._drawing:
            return
        self._chosen[which] = change["new"]
        self._draw()

    def show(
        self, runs: Sequence[Run], params: Sequence[str], first_metrics: Sequence[str] = ()
    ) -> None:
        self._runs = runs
        metrics = metric_keys(runs, first_metrics, limit=50)
        self._drawing = True
        try:
            self._set_options(self.metric, metrics, "metric", metrics[0] if metrics else None)
            self._set_options(self.param, list(params), "param", chart_param(runs, params))
        finally:
            self._drawing = False
        self.layout.display = None if metrics and params else "none"
        self._draw()

    def _set_options(
        self, picker: w.Dropdown, options: list[str], which: str, default: str | None
    ) -> None:
        if list(picker.options) != options:
            picker.options = options
        chosen = self._chosen[which]
        value = chosen if chosen in options else default
        if picker.value != value:
            picker.value = value

    def _draw(self) -> None:
        metric, param = self.metric.value, self.param.value
        if metric is None or param is None:
            self.points = []
            return
        self.points = chart_points(self._runs, param, metric)
        try:
            figure = self._figure()
        except MlopsError as exc:
            self.message.value = h.error(str(exc))
            return
        numeric = all(
            isinstance(p.x, (int, float)) and not isinstance(p.x, bool) for p in self.points
        )
        with figure.batch_update():
            trace = figure.data[0]
            trace.x = [p.x if numeric else str(p.x) for p in self.points]
            trace.y = [p.y for p in self.points]
            trace.text = [
                f"run {p.run_id} ({p.status})<br>{param} = {format_value(p.x)}" for p in self.points
            ]
            trace.marker.color = [
                FAILED_COLOUR if p.status == "failed" else POINT_COLOUR for p in self.points
            ]
            figure.layout.xaxis.title = param
            figure.layout.yaxis.title = metric
            figure.layout.xaxis.type = (
                ("log" if param in self.log_params else "linear") if numeric else "category"
            )
            figure.layout.title = f"{metric} against {param}"
        self.message.value = (
            "" if self.points else h.empty(f"No run has both {param} and {metric} yet.")
        )

    def _figure(self) -> Any:
        if self.figure is None:
            from ..widgets.charts import new_figure
            from ..widgets.theme import follow_theme

            figure = new_figure(y_title="")
            figure.update_layout(
                height=CHART_HEIGHT,
                width=CHART_WIDTH,
                showlegend=False,
                margin={"l": 50, "r": 10, "t": 36, "b": 40},
                title={"font": {"size": 13}},
            )
            figure.add_scatter(
                x=[],
                y=[],
                mode="lines+markers",
                hoverinfo="text+y",
                name="runs",
                marker={"size": 9},
                line={"color": "#9aa0a6", "width": 1},
            )
            self.figure = figure
            if self._probe is not None:
                follow_theme(figure, self._probe)  # the notebook's light or dark theme
            self.chart_box.children = (*self.chart_box.children, figure)
        return self.figure


def _theme_probe() -> Any:
    try:
        from ..widgets.theme import theme_probe

        return theme_probe()
    except ImportError:  # no anywidget: no plotly chart either, the panel says so
        return None


__all__ = ["PanelChart"]
