"""Vega-Lite specs drawn as SVG by vl-convert: charts for reports, with no browser or Node.

vl-convert embeds the Vega and Vega-Lite JavaScript libraries in a Rust binary; its first
conversion in a process starts that engine (the slow part: about a second of CPU), later ones
reuse it. :func:`start_engine` starts it in a background thread, so that a command which knows
it will draw charts overlaps that start with its imports and store reads: vl-convert releases
the GIL while it converts, and its converter is one engine behind a lock, so the first real
conversion waits for the start to finish instead of starting a second engine.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from ..errors import MissingDependency

_start: threading.Thread | None = None
_start_lock = threading.Lock()


def spec_to_svg(spec: dict[str, Any]) -> str:
    """The SVG text of a Vega-Lite ``spec`` (with its data inline)."""
    try:
        import vl_convert
    except ImportError:
        raise MissingDependency("charts in reports need vl-convert-python: "
                                "`pip install 'jupyter-mlops[report]'` (or vl-convert-python)") from None
    return str(vl_convert.vegalite_to_svg(spec))


def _warm_up() -> None:
    from .chart_specs import RunSeries, metric_history_spec

    # The metric history template itself, with two points: the start loads what a report's
    # charts use (Vega-Lite's compiler, line and text marks, the fonts), not a smaller subset.
    series = RunSeries(run_id="warm-up", label="warm-up", steps=[0, 1], values=[0.0, 1.0],
                       timestamps=[0.0, 1.0], started_at=0.0)
    # Any failure is left to the real conversion, which reports it with its context.
    with contextlib.suppress(Exception):
        spec_to_svg(metric_history_spec([series], "value"))


def start_engine() -> None:
    """Start vl-convert's engine in a background thread, once per process; without vl-convert
    installed, nothing (drawing a chart then says what to install). Not a daemon thread: a
    process that ends before drawing waits for the start, instead of tearing the interpreter
    down under a thread inside vl-convert."""
    global _start
    with _start_lock:
        if _start is not None:
            return
        try:
            import vl_convert  # noqa: F401 - only whether it is there
        except ImportError:
            return
        _start = threading.Thread(target=_warm_up, name="vl-convert start", daemon=False)
        _start.start()


__all__ = ["spec_to_svg", "start_engine"]
