"""Charts of metric histories as plotly figures (plotly is an optional extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MlopsError

if TYPE_CHECKING:
    from ..store.entities import Run


def plot_metrics(runs: Sequence[Run], keys: Sequence[str]) -> Any:
    """A plotly figure of the metric histories of ``runs`` (one line per run and key)."""
    try:
        import plotly.graph_objects as go
    except ImportError as exc:
        raise MlopsError("charts need plotly: `pip install 'jupyter-mlops[plot]'`") from exc
    figure = go.Figure()
    for run in runs:
        for key in keys:
            history = run.metric_history(key).downsample(5000)
            label = key if len(runs) == 1 else f"{run.name} · {key}"
            figure.add_scatter(x=list(history.steps), y=list(history.values), mode="lines", name=label)
    figure.update_layout(xaxis_title="step", yaxis_title=keys[0] if len(keys) == 1 else "value",
                         height=320, margin={"l": 40, "r": 10, "t": 30, "b": 40},
                         title=runs[0].name if len(runs) == 1 else None)
    return figure


__all__ = ["plot_metrics"]
