"""Small escaped-HTML building blocks of every HTML face (displays, widgets, controls).

Every piece of user text (run names, params, tags, cell sources) goes through
:func:`html.escape`: it is shown as text, never run as markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .palette import BORDER, DIFF_BACKGROUND, ERROR, MUTED, STATUS_COLOURS, status_colour
from .reproduced import reproduced_badge as badge_of

TABLE_STYLE = "border-collapse:collapse;font-size:12px;margin-bottom:8px"
CELL_STYLE = f"padding:2px 8px;text-align:left;border-bottom:1px solid {BORDER};vertical-align:top"


def text(value: object) -> str:
    return html.escape(str(value))


def status_badge(status: str) -> str:
    """A run's status as the sidebar shows it: a dot of its colour, then its name."""
    colour = status_colour(status)
    return (
        f'<span class="mlops-status" style="display:inline-flex;align-items:center;gap:4px;'
        f'white-space:nowrap"><span style="width:8px;height:8px;border-radius:50%;'
        f'background:{colour};flex:none"></span>{text(status)}</span>'
    )


def reproduced_badge(tags: Mapping[str, str]) -> str:
    """The badge of a run's reproducibility verdict (empty when it was never reproduced)."""
    badge = badge_of(tags)
    if badge is None:
        return ""
    return (
        f'<span class="mlops-reproduced" title="{text(badge.title)}" style="color:{badge.colour};'
        f'border:1px solid {badge.colour};border-radius:8px;padding:0 5px;margin-left:4px;'
        f'font-size:11px;white-space:nowrap">{text(badge.label)}</span>'
    )


def mark(label: str, colour: str) -> str:
    """A small coloured label such as "stale" or "out of order"."""
    return (
        f'<span class="mlops-mark" style="background:{colour};color:#fff;border-radius:3px;'
        f'padding:0 4px;margin-left:4px;font-size:11px">{text(label)}</span>'
    )


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    css_class: str = "mlops-table",
    row_attributes: Iterable[str] | None = None,
) -> str:
    """A table; ``header`` is escaped, row cells are HTML already (escape them with :func:`text`)."""
    head = "".join(f'<th style="{CELL_STYLE};font-weight:600">{text(h)}</th>' for h in header)
    attributes = iter(row_attributes) if row_attributes is not None else None
    body = []
    for row in rows:
        extra = next(attributes) if attributes is not None else ""
        cells = "".join(f'<td style="{CELL_STYLE}">{cell}</td>' for cell in row)
        body.append(f"<tr{extra}>{cells}</tr>")
    return (
        f'<table class="{css_class}" style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def empty(message: str) -> str:
    return f'<p class="mlops-empty" style="color:{MUTED};margin:4px 0"><em>{text(message)}</em></p>'


def filter_error(exc: Any) -> str:
    """A filter syntax error: its reason, then the filter with a caret under where it went wrong."""
    return error(f"filter error: {exc.reason}", f"{exc.text}\n{' ' * exc.position}^")


def error(message: str, detail: str = "") -> str:
    """A red message, with an optional preformatted detail under it."""
    extra = f'<pre style="margin:2px 0;white-space:pre-wrap">{text(detail)}</pre>' if detail else ""
    return (
        f'<div class="mlops-error" style="color:{ERROR};font-size:12px">'
        f"{text(message)}{extra}</div>"
    )


__all__ = ["DIFF_BACKGROUND", "STATUS_COLOURS", "empty", "error", "filter_error", "mark", "reproduced_badge", "status_badge", "table", "text"]
