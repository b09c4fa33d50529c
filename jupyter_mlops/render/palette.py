"""The one palette of every HTML face (notebook displays, the widgets, the controls, the summary
line under a tracked cell): a run status always has the same colour, the sidebar's too.

In JupyterLab (and Notebook 7) each colour is the theme's own variable, the one the sidebar's
CSS uses, so a display reads in the dark theme as in the light one; the hex after it is what
a page without those variables (a static HTML export, another front end) shows. Charts that
need a plain colour (plotly) use :data:`STATUS_COLOURS` and the plain constants.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.resources import files

STATUS_COLOURS = {
    "running": "#1a73e8",
    "finished": "#188038",
    "failed": "#d93025",
    "interrupted": "#e37400",
    "crashed": "#a142f4",
}
#: The JupyterLab theme variable of each status (as ``labextension/style/base.css`` paints it).
STATUS_VARIABLES = {
    "running": "--jp-brand-color1",
    "finished": "--jp-success-color1",
    "failed": "--jp-error-color1",
    "interrupted": "--jp-warn-color1",
    "crashed": "--jp-error-color1",
}


def themed(variable: str, fallback: str) -> str:
    """A CSS colour: the theme's ``variable``, else ``fallback``."""
    return f"var({variable}, {fallback})"


def tint(colour: str, percent: int = 18) -> str:
    """A background of ``colour`` that keeps the theme's text readable, light or dark."""
    return f"color-mix(in srgb, {colour} {percent}%, transparent)"


#: Text of no particular status, secondary text, and rules between table rows.
NEUTRAL = themed("--jp-ui-font-color2", "#555")
MUTED = themed("--jp-ui-font-color3", "#777")
BORDER = themed("--jp-border-color2", "#ddd")
#: Marks of the execution record, warnings, errors and chart points (plain: charts use them).
STALE = STATUS_COLOURS["interrupted"]
OUT_OF_ORDER = STATUS_COLOURS["crashed"]
WARNING = STATUS_COLOURS["interrupted"]
ERROR = STATUS_COLOURS["failed"]
POINT = STATUS_COLOURS["running"]
#: Rows that differ between compared runs; lines added and removed in a cell diff.
DIFF_BACKGROUND = tint(themed("--jp-warn-color1", WARNING))
ADDED_BACKGROUND = tint(themed("--jp-success-color1", STATUS_COLOURS["finished"]))
REMOVED_BACKGROUND = tint(themed("--jp-error-color1", ERROR))


#: One colour per run in every chart and compare table; kept in the chart spec templates so the
#: sidebar's bundle reads the same list (``specs/metric_history.vl.json``, ``usermeta.runColours``).
RUN_COLOURS: tuple[str, ...] = tuple(
    json.loads(files(__package__).joinpath("specs/metric_history.vl.json").read_text("utf-8"))[
        "usermeta"
    ]["runColours"]
)


def _hashed_slot(run_id: str) -> int:
    """The place in :data:`RUN_COLOURS` of a run without a stored slot (32-bit FNV-1a of its id)."""
    digest = 0x811C9DC5
    for code in run_id.encode("utf-8"):
        digest = ((digest ^ code) * 0x01000193) & 0xFFFFFFFF
    return digest % len(RUN_COLOURS)


def _own_slot(run_id: str, slot: int | None) -> int:
    """A run's own place in :data:`RUN_COLOURS`: the slot the store gave it when it was created
    (the one after its experiment's previous run), else the hash of its id."""
    return _hashed_slot(run_id) if slot is None else slot % len(RUN_COLOURS)


def run_colour(run_id: str, slot: int | None) -> str:
    """A run's own colour, from its stored ``slot`` (``Run.colour_slot``; None: from its id): the
    one its chip has in the runs table and its lines in its detail charts and in comparisons."""
    return RUN_COLOURS[_own_slot(run_id, slot)]


def run_colours(runs: Iterable[tuple[str, int | None]]) -> dict[str, str]:
    """The colour of each run shown together, by id, from ``(run id, slot)`` pairs in the order
    shown: its own (:func:`run_colour`), or the next free one when a run before it took it
    (runs created one after another have different slots, so that is rare; colours repeat only
    past ``len(RUN_COLOURS)``). The REST API hands these to the sidebar, which assigns none itself."""
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    for run_id, own in runs:
        if run_id in chosen:
            continue
        if len(taken) == len(RUN_COLOURS):
            taken.clear()  # every colour in use: the next runs go round the palette again
        slot = _own_slot(run_id, own)
        while slot in taken:
            slot = (slot + 1) % len(RUN_COLOURS)
        taken.add(slot)
        chosen[run_id] = RUN_COLOURS[slot]
    return chosen


def status_colour(status: str) -> str:
    """The colour of a run status (``inherit`` for one this palette does not know)."""
    if status not in STATUS_COLOURS:
        return "inherit"
    return themed(STATUS_VARIABLES[status], STATUS_COLOURS[status])


__all__ = ["ADDED_BACKGROUND", "BORDER", "DIFF_BACKGROUND", "ERROR", "MUTED", "NEUTRAL", "OUT_OF_ORDER", "POINT",
           "REMOVED_BACKGROUND", "RUN_COLOURS", "STALE", "STATUS_COLOURS", "STATUS_VARIABLES", "WARNING", "run_colour",
           "run_colours",
           "status_colour", "themed", "tint"]
