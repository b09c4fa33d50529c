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


def run_link(run_id: str) -> str:
    """The run id as a link that JupyterLab's jupyter-mlops extension opens in its sidebar
    (it picks up ``data-mlops-open-run``; elsewhere it is the id, underlined)."""
    run_id = escape(run_id)
    return (f"<a class=\"jupyter-mlops-run-link\" data-mlops-open-run=\"{run_id}\" role=\"button\" "
            f"tabindex=\"0\" title=\"Open run {run_id} in the MLOps sidebar\" "
            f"style=\"cursor: pointer; text-decoration: underline\"><code>{run_id}</code></a>")


def summary_html(summary: Any) -> str:
    colour = STATUS_COLOURS.get(summary.status, NEUTRAL)
    if summary.attached:
        head = f"logged to run {run_link(summary.run_id)} ({escape(summary.name)})"
    else:
        head = (f"run {run_link(summary.run_id)} ({escape(summary.name)}) "
                f"<b style=\"color: {colour}\">{escape(summary.status)}</b> "
                f"in {escape(format_duration(summary.duration))}")
    items = " ".join(f"<code>{escape(key)}={escape(format_value(value))}</code>"
                     for key, value in summary.metrics.items())
    return (f"<div class=\"jupyter-mlops-summary\" data-run-id=\"{escape(summary.run_id)}\" "
            f"style=\"font-size: 0.9em; opacity: 0.85\">{head}{' · ' + items if items else ''}</div>")


def summary_bundle(summary: Any) -> dict[str, str]:
    """The summary as a display bundle (text/plain and text/html)."""
    return {"text/plain": summary_text(summary), "text/html": summary_html(summary)}


__all__ = ["run_link", "summary_bundle", "summary_html", "summary_text"]
