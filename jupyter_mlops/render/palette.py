"""The one palette of every HTML face (notebook displays, the widgets, the controls, the summary
line under a tracked cell): a run status always has the same colour."""

from __future__ import annotations

STATUS_COLOURS = {
    "running": "#1a73e8",
    "finished": "#188038",
    "failed": "#d93025",
    "interrupted": "#e37400",
    "crashed": "#a142f4",
}
#: Text of no particular status, and secondary text.
NEUTRAL = "#555"
MUTED = "#777"
#: Rows that differ between compared runs; lines added and removed in a cell diff.
DIFF_BACKGROUND = "#fff3cd"
ADDED_BACKGROUND = "#e6f4ea"
REMOVED_BACKGROUND = "#fce8e6"
#: Marks of the execution record, warnings, errors and chart points.
STALE = STATUS_COLOURS["interrupted"]
OUT_OF_ORDER = STATUS_COLOURS["crashed"]
WARNING = STATUS_COLOURS["interrupted"]
ERROR = STATUS_COLOURS["failed"]
POINT = STATUS_COLOURS["running"]


def status_colour(status: str) -> str:
    """The colour of a run status (``inherit`` for one this palette does not know)."""
    return STATUS_COLOURS.get(status, "inherit")


__all__ = ["DIFF_BACKGROUND", "ERROR", "MUTED", "NEUTRAL", "OUT_OF_ORDER", "POINT", "STALE",
           "STATUS_COLOURS", "WARNING", "status_colour"]
