"""The one-line summary shown under a tracked cell (``%%track``, a controls press), as text and
as escaped HTML. It reads a summary's ``run_id``, ``name``, ``status``, ``duration``, ``metrics``
and ``attached`` (see ``capture.cellrun.RunSummary``)."""

from __future__ import annotations

from html import escape
from typing import Any

from .palette import NEUTRAL, STATUS_COLOURS
from .text import format_duration, format_value


def summary_text(summary: Any) -> str:
    items = "  ".join(f"{key}={format_value(value)}" for key, value in summary.metrics.items())
    if summary.attached:
        head = f"logged to run {summary.run_id} ({summary.name})"
    else:
        head = f"run {summary.run_id} ({summary.name}) {summary.status} in {format_duration(summary.duration)}"
    return head + (f" · {items}" if items else "")


def summary_html(summary: Any) -> str:
    colour = STATUS_COLOURS.get(summary.status, NEUTRAL)
    if summary.attached:
        head = f"logged to run <code>{escape(summary.run_id)}</code> ({escape(summary.name)})"
    else:
        head = (f"run <code>{escape(summary.run_id)}</code> ({escape(summary.name)}) "
                f"<b style=\"color: {colour}\">{escape(summary.status)}</b> "
                f"in {escape(format_duration(summary.duration))}")
    items = " ".join(f"<code>{escape(key)}={escape(format_value(value))}</code>"
                     for key, value in summary.metrics.items())
    return (f"<div class=\"jupyter-mlops-summary\" data-run-id=\"{escape(summary.run_id)}\" "
            f"style=\"font-size: 0.9em; opacity: 0.85\">{head}{' · ' + items if items else ''}</div>")


def summary_bundle(summary: Any) -> dict[str, str]:
    """The summary as a display bundle (text/plain and text/html)."""
    return {"text/plain": summary_text(summary), "text/html": summary_html(summary)}


__all__ = ["summary_bundle", "summary_html", "summary_text"]
