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
slots = st.none() | st.integers(min_value=0, max_value=3 * len(RUN_COLOURS))
shown = st.lists(st.tuples(ids, slots), min_size=1, max_size=25, unique_by=lambda run: run[0])


@given(shown)
def test_runs_shown_together_get_distinct_colours_until_the_palette_is_spent(
    runs: list[tuple[str, int | None]],
) -> None:
    colours = run_colours(runs)
    assert list(colours) == [run_id for run_id, _ in runs] and set(colours.values()) <= set(RUN_COLOURS)
    first = [colours[run_id] for run_id, _ in runs[: len(RUN_COLOURS)]]
    assert len(set(first)) == len(first)
    # the first run always has its own colour, whatever is shown with it
    assert colours[runs[0][0]] == run_colour(*runs[0])


@given(st.lists(st.tuples(ids, slots), min_size=1, max_size=len(RUN_COLOURS), unique_by=lambda run: run[0]))
def test_a_run_keeps_the_colour_of_its_table_chip_unless_a_run_before_it_has_it(
    runs: list[tuple[str, int | None]],
) -> None:
    colours = run_colours(runs)
    for i, (run_id, slot) in enumerate(runs):
        own = run_colour(run_id, slot)
        if own not in (colours[earlier] for earlier, _ in runs[:i]):
            assert colours[run_id] == own
        else:
            assert colours[run_id] != own  # moved to a free colour, never shared


@given(st.lists(ids, min_size=1, max_size=len(RUN_COLOURS), unique=True), st.integers(0, 100))
def test_runs_of_consecutive_slots_keep_their_own_colours_shown_together(run_ids: list[str], first: int) -> None:
    runs = [(run_id, first + i) for i, run_id in enumerate(run_ids)]
    assert run_colours(runs) == {run_id: run_colour(run_id, slot) for run_id, slot in runs}
    assert run_colour(run_ids[0], first) == RUN_COLOURS[first % len(RUN_COLOURS)]


def test_a_run_without_a_slot_takes_the_colour_of_its_ids_hash() -> None:
    fallback = {run_id: run_colour(run_id, None) for run_id in (f"run{i}" for i in range(50))}
    assert all(run_colour(run_id, None) == colour for run_id, colour in fallback.items())  # stable
    assert len(set(fallback.values())) > len(RUN_COLOURS) // 2  # spread over the palette
    # the 32-bit FNV-1a of "a" is 0xe40c292c: its slot is that modulo the palette's length
    assert run_colour("a", None) == RUN_COLOURS[0xE40C292C % len(RUN_COLOURS)]


def test_a_history_chart_takes_its_runs_slots_unless_given_colours() -> None:
    series = [RunSeries(f"r{i}", f"run {i}", [0, 1], [1.0, 2.0], [1.0, 2.0], 0.0, colour_slot=i + 4)
              for i in range(3)]
    scale = next(layer["encoding"]["color"]["scale"] for layer in metric_history_spec(series, "loss")["layer"]
                 if "field" in layer.get("encoding", {}).get("color", {}))
    assert scale == {"domain": ["run 0", "run 1", "run 2"], "range": list(RUN_COLOURS[4:7])}


def test_system_metrics_name_their_units() -> None:
    assert metric_unit("system/cpu_percent") == "%"
    assert metric_unit("system/gpu0/memory_used_mb") == "MB"
    assert metric_unit("system/unknown") is None
    assert metric_unit("train_percent") is None  # only system metrics are known by their names
