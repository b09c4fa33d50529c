"""Vega-Lite specs of the metric charts, filled from the templates in ``specs/``: the same chart in
the JupyterLab sidebar (``labextension/src/specs.ts`` fills the same templates the same way) and in
reports rendered to SVG here. Each option is a small transformation of a template, documented in
the template's ``usermeta._doc``; this module only applies them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from .palette import run_colours

XAxis = Literal["step", "relative", "wall"]
X_AXES: tuple[XAxis, ...] = ("step", "relative", "wall")


@cache
def _template(name: str) -> dict[str, Any]:
    return json.loads(files(__package__).joinpath(f"specs/{name}.vl.json").read_text("utf-8"))


def template(name: str) -> dict[str, Any]:
    """A fresh copy of template ``name`` (``metric_history`` or ``metric_values``)."""
    return copy.deepcopy(_template(name))


@dataclass(frozen=True)
class RunSeries:
    """One run's history of the charted metric, as the REST API's metric series gives it."""

    run_id: str
    label: str
    steps: Sequence[int]
    values: Sequence[float]
    #: Epoch seconds of each point.
    timestamps: Sequence[float]
    #: Epoch seconds the run started (the origin of relative time).
    started_at: float
    #: The run's place in the palette (``Run.colour_slot``); None: the hash of its id.
    colour_slot: int | None = None


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


def history_points(series: Sequence[RunSeries]) -> list[dict[str, Any]]:
    """The ``points`` data set: a row per finite point (a line cannot show NaN or infinities)."""
    rows: list[dict[str, Any]] = []
    for index, run in enumerate(series):
        for step, value, stamp in zip(run.steps, run.values, run.timestamps, strict=False):
            if isinstance(value, int | float) and _finite(float(value)):
                rows.append({"run": run.label, "key": f"r{index}", "run_id": run.run_id,
                             "step": step, "value": value, "time": stamp - run.started_at,
                             "wall": stamp * 1000})
    return rows


def _set_colours(layers: Sequence[dict[str, Any]], labels: list[str], colours: list[str]) -> None:
    for layer in layers:
        colour = layer.get("encoding", {}).get("color")
        if colour and "field" in colour:
            colour["scale"] = {"domain": labels, "range": colours}
            if len(labels) == 1:
                colour["legend"] = None


def _titled(metric: str, unit: str | None) -> str:
    return f"{metric} ({unit})" if unit else metric


def metric_history_spec(series: Sequence[RunSeries], metric: str, *, x: XAxis = "step",
                        log_y: bool = False, smoothing: int = 0, unit: str | None = None,
                        colours: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The history chart of ``metric`` over ``series``, its data inline (``datasets.points``).

    ``colours`` maps run ids to colours (default: :func:`~.palette.run_colours` of the runs'
    slots, in order). Raises ``ValueError`` for an unknown ``x`` or a negative ``smoothing``.
    """
    spec = template("metric_history")
    meta = spec["usermeta"]
    if x not in meta["xAxes"]:
        raise ValueError(f"x axis {x!r} is not one of {', '.join(meta['xAxes'])}")
    if smoothing < 0:
        raise ValueError(f"smoothing is a number of points, 0 or more, not {smoothing}")
    axis = meta["xAxes"][x]
    spec["encoding"]["x"] = copy.deepcopy(axis["encoding"])
    transforms = spec["transform"]
    next(t for t in transforms if t.get("as") == "x")["calculate"] = axis["expr"]
    if log_y:
        at = next(i for i, t in enumerate(transforms) if t.get("as") == "x")
        transforms.insert(at + 1, {"filter": meta["logY"]["filter"]})
    if smoothing >= 2:
        next(t for t in transforms if "window" in t)["frame"] = [-(smoothing - 1), 0]
    else:
        spec["layer"] = [layer for layer in spec["layer"] if layer.get("name") != "raw"]
    chosen = dict(colours) if colours is not None else run_colours([(s.run_id, s.colour_slot) for s in series])
    labels = [s.label for s in series]
    _set_colours(spec["layer"], labels, [chosen[s.run_id] for s in series])
    for layer in spec["layer"]:
        y = layer.get("encoding", {}).get("y")
        if y is not None:
            y["title"] = _titled(metric, unit)
            if log_y:
                y["scale"]["type"] = "log"
    crosshair = next(layer for layer in spec["layer"] if layer.get("name") == "crosshair")
    crosshair["encoding"]["tooltip"] = [copy.deepcopy(axis["tooltip"])] + [
        {"field": f"r{i}", "type": "quantitative", "title": s.label, "format": meta["valueFormat"]}
        for i, s in enumerate(series)
    ]
    spec["datasets"] = {"points": history_points(series)}
    return spec


def metric_values_spec(values: Sequence[tuple[str, str, float]], metric: str, *,
                       log_y: bool = False, unit: str | None = None,
                       colours: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A dot per run for a metric logged once: ``values`` holds (run id, label, value);
    ``colours`` maps run ids to colours (default: the colours of the ids' hashes)."""
    spec = template("metric_values")
    chosen = dict(colours) if colours is not None else run_colours([(v[0], None) for v in values])
    shown = [(run_id, label, value) for run_id, label, value in values if _finite(float(value))]
    rows = [{"run": label, "run_id": run_id, "value": value} for run_id, label, value in shown]
    labels = [label for _, label, _ in shown]
    dots = next(layer for layer in spec["layer"] if layer.get("name") == "dots")
    dots["encoding"]["color"]["scale"] = {"domain": labels,
                                          "range": [chosen[run_id] for run_id, _, _ in shown]}
    spec["encoding"]["y"]["sort"] = labels
    spec["encoding"]["x"]["title"] = _titled(metric, unit)
    if log_y:
        spec["encoding"]["x"]["scale"]["type"] = "log"
        spec["transform"].append({"filter": "datum.value > 0"})
    spec["height"] = max(60, 24 * len(shown))
    spec["datasets"] = {"points": rows}
    return spec


__all__ = ["X_AXES", "RunSeries", "history_points", "metric_history_spec", "metric_values_spec",
           "template"]
