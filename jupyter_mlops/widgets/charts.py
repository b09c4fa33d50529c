"""Metric step charts as plotly ``FigureWidget``s, updated in place as runs log more points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MlopsError

if TYPE_CHECKING:
    from ..store.history import MetricHistory

MAX_POINTS = 2000
CHART_HEIGHT = 320


class ChartsUnavailable(MlopsError):
    """plotly (with anywidget, which its FigureWidget needs) is not installed."""


def new_figure(y_title: str = "value") -> Any:
    """An empty step chart (a plotly ``FigureWidget``)."""
    try:
        import plotly.graph_objects as go

        figure = go.FigureWidget()
    except ImportError as exc:
        raise ChartsUnavailable(
            f"metric charts need plotly and anywidget ({exc}); install them with "
            "`pip install 'jupyter-mlops[plot]'` and restart the kernel"
        ) from None
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis_title="step",
        yaxis_title=y_title,
        showlegend=True,
    )
    return figure


def _plottable(values: Sequence[float]) -> list[float | None]:
    """NaN and infinities become gaps: a chart has no place to draw them."""
    return [value if math.isfinite(value) else None for value in values]


def set_series(figure: Any, series: Sequence[tuple[str, MetricHistory]], y_title: str,
               colours: Sequence[str] | None = None) -> None:
    """Show one line per ``(label, history)``, in ``colours`` (one per line: the runs' own
    colours, :func:`~jupyter_mlops.render.palette.run_colours` of their stored slots, as the
    sidebar draws them); traces are updated in place when the labels are the same as before
    (a live refresh), replaced otherwise."""
    points = [(label, history.downsample(MAX_POINTS)) for label, history in series]
    with figure.batch_update():
        if [trace.name for trace in figure.data] == [label for label, _ in points]:
            for i, (trace, (_, history)) in enumerate(zip(figure.data, points, strict=True)):
                trace.x = list(history.steps)
                trace.y = _plottable(history.values)
                if colours is not None:
                    trace.line.color = colours[i]  # the same label may be another run's now
        else:
            figure.data = ()
            for i, (label, history) in enumerate(points):
                line = {"color": colours[i]} if colours is not None else None
                figure.add_scatter(
                    x=list(history.steps), y=_plottable(history.values), mode="lines", name=label,
                    line=line,
                )
        figure.layout.yaxis.title = y_title
