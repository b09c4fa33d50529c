"""Charts drawn by vl-convert, and the engine started ahead of the first chart: the start is one
background thread per process, a chart drawn while it runs waits for it and comes out the same,
and without vl-convert nothing starts and drawing says what to install."""

from __future__ import annotations

import re
import sys
import threading

import pytest

from jupyter_mlops.errors import MissingDependency
from jupyter_mlops.render import chart_svg
from jupyter_mlops.render.chart_specs import RunSeries, metric_history_spec

SPEC = metric_history_spec([RunSeries(run_id="r1", label="base", steps=[0, 1, 2], values=[0.5, 0.7, 0.9],
                                      timestamps=[0.0, 1.0, 2.0], started_at=0.0)], "val_acc")


def _starts() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "vl-convert start"]


def test_a_chart_drawn_while_the_engine_starts_waits_for_it_and_comes_out_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("vl_convert")
    monkeypatch.setattr(chart_svg, "_start", None)
    chart_svg.start_engine()
    chart_svg.start_engine()  # once per process: the second call finds the first
    started = chart_svg._start
    assert started is not None and not started.daemon
    assert len([t for t in _starts() if t is started]) <= 1
    svg = chart_svg.spec_to_svg(SPEC)  # may run while the start is still converting
    started.join(timeout=120)
    assert not started.is_alive()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert svg.startswith("<svg") and texts[-1] == "val_acc" and "step" in texts  # both axes drawn
    assert chart_svg.spec_to_svg(SPEC) == svg


def test_without_vl_convert_nothing_starts_and_drawing_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_svg, "_start", None)
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # import vl_convert now raises ImportError
    chart_svg.start_engine()
    assert chart_svg._start is None
    with pytest.raises(MissingDependency, match=r"pip install 'jupyter-mlops\[report\]'"):
        chart_svg.spec_to_svg(SPEC)
