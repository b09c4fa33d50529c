"""The chart templates filled in Python give the specs the sidebar fills (one golden file checks
both), compile and draw with Vega-Lite, and colour each run with the one palette."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_mlops.capture.system import metric_unit
from jupyter_mlops.render.chart_specs import RunSeries, metric_history_spec
from jupyter_mlops.render.palette import RUN_COLOURS, run_colour, run_colours
from tests.render.chart_cases import CASES, GOLDEN, python_spec


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_python_fills_the_templates_as_the_golden_file_says(case: dict) -> None:
    golden = {c["name"]: c for c in json.loads(GOLDEN.read_text("utf-8"))}
    assert golden[case["name"]]["runs"] == case["runs"]
    assert python_spec(case) == golden[case["name"]]["expected"]


def test_the_specs_draw_with_integer_steps_and_every_run_as_text() -> None:
    vlc = pytest.importorskip("vl_convert")
    for case in CASES:
        spec = dict(python_spec(case), width=400)
        svg = vlc.vegalite_to_svg(spec)
        assert "&lt;b&gt;x&lt;/b&gt;" in svg or len(case["runs"]) == 1  # a label is text, never markup
        assert "<b>" not in svg
        if case["options"]["x"] == "step" and case["kind"] == "history":
            texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
            x_ticks = texts[: texts.index("step")]  # the x axis is drawn first: its labels, title
            assert x_ticks == ["0", "1", "2", "3"]  # steps are whole numbers, never 0.5


def test_options_that_make_no_chart_are_refused_naming_the_choices() -> None:
    run = RunSeries("a", "a", [0, 1], [1.0, 2.0], [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="step, relative, wall"):
        metric_history_spec([run], "loss", x="epoch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0 or more"):
        metric_history_spec([run], "loss", smoothing=-2)


def test_log_y_leaves_out_values_a_log_axis_cannot_show() -> None:
    run = RunSeries("a", "a", [0, 1, 2], [0.0, -1.0, 2.0], [1.0, 2.0, 3.0], 0.0)
    spec = metric_history_spec([run], "loss", log_y=True)
    assert {"filter": "datum.value > 0"} in spec["transform"]
    assert all(layer["encoding"]["y"]["scale"]["type"] == "log"
               for layer in spec["layer"] if "y" in layer["encoding"])


ids = st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14)


@given(st.lists(ids, min_size=1, max_size=25, unique=True))
def test_runs_shown_together_get_distinct_colours_until_the_palette_is_spent(run_ids: list[str]) -> None:
    colours = run_colours(run_ids)
    assert list(colours) == run_ids and set(colours.values()) <= set(RUN_COLOURS)
    first = [colours[i] for i in run_ids[: len(RUN_COLOURS)]]
    assert len(set(first)) == len(first)
    # the first run always has its own colour, whatever is shown with it
    assert colours[run_ids[0]] == run_colours([run_ids[0]])[run_ids[0]]


@given(st.lists(ids, min_size=1, max_size=len(RUN_COLOURS), unique=True))
def test_a_run_keeps_the_colour_of_its_table_chip_unless_a_run_before_it_has_it(
    run_ids: list[str],
) -> None:
    colours = run_colours(run_ids)
    for i, run_id in enumerate(run_ids):
        own = run_colour(run_id)
        if own not in (colours[earlier] for earlier in run_ids[:i]):
            assert colours[run_id] == own
        else:
            assert colours[run_id] != own  # moved to a free colour, never shared


def test_system_metrics_name_their_units() -> None:
    assert metric_unit("system/cpu_percent") == "%"
    assert metric_unit("system/gpu0/memory_used_mb") == "MB"
    assert metric_unit("system/unknown") is None
    assert metric_unit("train_percent") is None  # only system metrics are known by their names
