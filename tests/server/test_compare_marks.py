"""``GET compare`` marks each metric's best run by the one direction rule, takes a caller's
override of that rule, gives each run its chart colour, and names system metrics' units."""

from __future__ import annotations

from typing import Any

from jupyter_mlops.render.palette import RUN_COLOURS, run_colour, run_colours
from tests.support.server import body, fails


async def test_best_marks_follow_the_metric_names_and_the_callers_overrides(
    api: Any, track: Any
) -> None:
    a = track("a", metrics={"val_loss": [0.5, 0.3], "acc": [0.7], "score": [3.0]})
    b = track("b", metrics={"val_loss": [0.4, 0.2], "acc": [0.9], "score": [5.0]})
    c = track("c", metrics={"val_loss": [0.2], "acc": [0.9], "score": [float("nan")]})
    result = body(await api("compare", params={"ids": f"{a},{b},{c}"}))
    rows = {row["key"]: row for row in result["metrics"]}
    assert (rows["val_loss"]["direction"], rows["val_loss"]["best"]) == ("min", [b, c])
    assert (rows["acc"]["direction"], rows["acc"]["best"]) == ("max", [b, c])
    assert (rows["score"]["direction"], rows["score"]["best"]) == ("max", [b])  # NaN is never best
    flipped = body(await api("compare", params={"ids": f"{a},{b},{c}", "lower": "score",
                                                "higher": "metrics.val_loss"}))
    rows = {row["key"]: row for row in flipped["metrics"]}
    assert (rows["score"]["direction"], rows["score"]["best"]) == ("min", [a])
    assert (rows["val_loss"]["direction"], rows["val_loss"]["best"]) == ("max", [a])
    assert result["colours"] == run_colours([a, b, c])
    assert len(set(result["colours"].values())) == 3
    assert set(result["colours"].values()) <= set(RUN_COLOURS)


async def test_a_metric_named_both_ways_is_a_clear_400(api: Any, track: Any) -> None:
    a, b = track("a", metrics={"acc": [1.0]}), track("b", metrics={"acc": [2.0]})
    code, reply = await fails(api, "compare", params={"ids": f"{a},{b}", "lower": "acc",
                                                      "higher": "acc"})
    assert (code, reply["error"], reply["parameter"]) == (400, "invalid_input", "lower")
    assert "'acc'" in reply["detail"] and "both" in reply["detail"]


async def test_one_run_with_a_value_has_no_best_mark_and_system_metrics_say_their_unit(
    api: Any, track: Any
) -> None:
    a = track("a", metrics={"acc": [0.5], "system/process_rss_mb": [120.0, 130.0]})
    b = track("b", metrics={"loss": [0.5]})
    result = body(await api("compare", params={"ids": f"{a},{b}"}))
    assert {row["key"]: row["best"] for row in result["metrics"]}["acc"] == []
    series = body(await api("runs", a, "metrics", "system/process_rss_mb"))
    assert series["unit"] == "MB"
    assert body(await api("runs", a, "metrics", "acc"))["unit"] is None
    detail = body(await api("runs", a))
    assert detail["colour"] == run_colours([a])[a] == run_colour(a)


async def test_each_listed_run_has_the_colour_of_its_lines(api: Any, track: Any) -> None:
    ids = [track(f"r{i}", metrics={"loss": [1.0, 0.5]}) for i in range(4)]
    listed = body(await api("runs", params={"limit": "10"}))["runs"]
    colours = {run["id"]: run["colour"] for run in listed}
    assert set(ids) <= set(colours) and set(colours.values()) <= set(RUN_COLOURS)
    for run_id in ids:
        assert colours[run_id] == run_colour(run_id)
        assert body(await api("runs", run_id))["colour"] == colours[run_id]  # its detail charts
    # a comparison keeps each run's colour unless a run compared before it has the same one
    compared = body(await api("compare", params={"ids": ",".join(ids)}))["colours"]
    for i, run_id in enumerate(ids):
        if colours[run_id] not in (colours[earlier] for earlier in ids[:i]):
            assert compared[run_id] == colours[run_id]
