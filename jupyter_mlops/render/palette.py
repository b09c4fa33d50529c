"""The one palette of every HTML face (notebook displays, the widgets, the controls, the summary
line under a tracked cell): a run status always has the same colour."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.resources import files

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


#: One colour per run in every chart and compare table; kept in the chart spec templates so the
#: sidebar's bundle reads the same list (``specs/metric_history.vl.json``, ``usermeta.runColours``).
RUN_COLOURS: tuple[str, ...] = tuple(
    json.loads(files(__package__).joinpath("specs/metric_history.vl.json").read_text("utf-8"))[
        "usermeta"
    ]["runColours"]
)


def _preferred_slot(run_id: str) -> int:
    """A run's own place in :data:`RUN_COLOURS` (32-bit FNV-1a of its id): the same run gets the
    same colour whatever it is shown with, as long as no run shown before it has taken it."""
    digest = 0x811C9DC5
    for code in run_id.encode("utf-8"):
        digest = ((digest ^ code) * 0x01000193) & 0xFFFFFFFF
    return digest % len(RUN_COLOURS)


def run_colours(run_ids: Sequence[str]) -> dict[str, str]:
    """The colour of each run shown together, by id: its preferred colour, or the next free one
    when a run before it in ``run_ids`` took it (colours repeat only past ``len(RUN_COLOURS)``).
    ``labextension/src/runColours.ts`` assigns the same colours in the sidebar."""
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    for run_id in run_ids:
        if run_id in chosen:
            continue
        if len(taken) == len(RUN_COLOURS):
            taken.clear()  # every colour in use: the next runs go round the palette again
        slot = _preferred_slot(run_id)
        while slot in taken:
            slot = (slot + 1) % len(RUN_COLOURS)
        taken.add(slot)
        chosen[run_id] = RUN_COLOURS[slot]
    return chosen


def status_colour(status: str) -> str:
    """The colour of a run status (``inherit`` for one this palette does not know)."""
    return STATUS_COLOURS.get(status, "inherit")


__all__ = ["DIFF_BACKGROUND", "ERROR", "MUTED", "NEUTRAL", "OUT_OF_ORDER", "POINT", "RUN_COLOURS",
           "STALE", "STATUS_COLOURS", "WARNING", "run_colours", "status_colour"]
