"""Rich displays of runs for notebooks: HTML tables and metric charts.

Every piece of user text (names, params, tags) is escaped: it is rendered as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import MlopsError
from .views import format_duration, format_time, format_value, table_rows

if TYPE_CHECKING:
    from .store.entities import Run

_STATUS_COLOURS = {"running": "#1a73e8", "finished": "#188038", "failed": "#d93025",
                   "interrupted": "#e37400", "crashed": "#a142f4"}
_STYLE = (
    "<style>.mlops-table{border-collapse:collapse;font-size:12px}"
    ".mlops-table th,.mlops-table td{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}"
    ".mlops-table th{font-weight:600}.mlops-status{font-weight:600}</style>"
)


def _status(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "inherit")
    return f'<span class="mlops-status" style="color:{colour}">{html.escape(status)}</span>'


def runs_html(runs: Sequence[Run], limit: int = 200) -> str:
    if not runs:
        return "<p><em>no runs</em></p>"
    header, rows = table_rows(list(runs)[:limit])
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for run, row in zip(runs, rows, strict=False):
        cells = [f"<td>{_status(c) if header[i] == 'status' else html.escape(c)}</td>" for i, c in enumerate(row)]
        body.append(f'<tr data-run-id="{html.escape(run.id)}">{"".join(cells)}</tr>')
    more = f"<p>… and {len(runs) - limit} more</p>" if len(runs) > limit else ""
    return f'{_STYLE}<table class="mlops-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'


def _pairs(title: str, items: dict[str, Any]) -> str:
    if not items:
        return ""
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(format_value(v))}</td></tr>"
                   for k, v in sorted(items.items()))
    return f'<table class="mlops-table"><thead><tr><th colspan="2">{title}</th></tr></thead><tbody>{rows}</tbody></table>'


def run_html(run: Run) -> str:
    facts = (f"<b>{html.escape(run.name)}</b> <code>{html.escape(run.id)}</code> {_status(run.status)} · "
             f"{html.escape(run.experiment)} · started {html.escape(format_time(run.started_at))} · "
             f"{html.escape(format_duration(run.duration))}")
    parts = [_STYLE, f"<div>{facts}</div>", '<div style="display:flex;gap:24px;align-items:flex-start">',
             _pairs("params", run.params),
             _pairs("metrics", {k: v for k, v in run.metrics.items() if not k.startswith("system/")}),
             _pairs("tags", run.tags), "</div>"]
    if run.error:
        parts.append(f"<pre>{html.escape(str(run.error.get('ename', '')))}: "
                     f"{html.escape(str(run.error.get('evalue', '')))}</pre>")
    return "".join(parts)


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
