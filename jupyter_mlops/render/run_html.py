"""Rich displays of runs for notebooks: HTML tables of runs and of one run.

Every piece of user text (names, params, tags) is escaped: it is rendered as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .html import status_badge
from .palette import BORDER
from .text import format_duration, format_time, format_value, table_rows

if TYPE_CHECKING:
    from ..store.entities import Run

_STYLE = (
    "<style>.mlops-table{border-collapse:collapse;font-size:12px}"
    ".mlops-table th,.mlops-table td{padding:2px 8px;text-align:left;border-bottom:1px solid " + BORDER + "}"
    ".mlops-table th{font-weight:600}.mlops-status{font-weight:600}</style>"
)


def runs_html(runs: Sequence[Run], limit: int = 200) -> str:
    if not runs:
        return "<p><em>no runs</em></p>"
    header, rows = table_rows(list(runs)[:limit])
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for run, row in zip(runs, rows, strict=False):
        cells = [f"<td>{status_badge(c) if header[i] == 'status' else html.escape(c)}</td>" for i, c in enumerate(row)]
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
    facts = (f"<b>{html.escape(run.name)}</b> <code>{html.escape(run.id)}</code> {status_badge(run.status)} · "
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


__all__ = ["run_html", "runs_html"]
