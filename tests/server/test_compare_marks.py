"""``GET compare`` marks each metric's best run by the one direction rule, takes a caller's
override of that rule, gives each run its chart colour, and names system metrics' units."""

from __future__ import annotations

import sqlite3
from pathlib import Path
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
    listed = {run["id"]: run["colour"] for run in body(await api("runs"))["runs"]}
    assert result["colours"] == {run_id: listed[run_id] for run_id in (a, b, c)}  # their chips'
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
    listed = {run["id"]: run["colour"] for run in body(await api("runs"))["runs"]}
    assert detail["colour"] == listed[a] != listed[b]  # b was made next: the next colour


async def test_ten_runs_made_in_a_row_have_ten_colours_kept_in_a_comparison(api: Any, track: Any) -> None:
    ids = [track(f"r{i}", metrics={"loss": [1.0, 0.5]}) for i in range(len(RUN_COLOURS))]
    listed = body(await api("runs", params={"limit": "20"}))["runs"]
    colours = {run["id"]: run["colour"] for run in listed}
    assert [colours[run_id] for run_id in ids] == list(RUN_COLOURS)  # the palette in order, none shared
    for run_id in ids:
        assert body(await api("runs", run_id))["colour"] == colours[run_id]  # its detail charts
    for shown in (ids, ids[::-1], ids[3:7]):  # any comparison, in any order: each run's own colour
        compared = body(await api("compare", params={"ids": ",".join(shown)}))["colours"]
        assert compared == {run_id: colours[run_id] for run_id in shown}


async def test_a_run_without_a_stored_slot_has_the_colour_of_its_ids_hash(
    api: Any, track: Any, root_store: Path
) -> None:
    a, b = track("a"), track("b")
    with sqlite3.connect(root_store / "mlops.db") as db:
        db.execute("UPDATE runs SET colour = NULL WHERE id = ?", (b,))
    listed = {run["id"]: run["colour"] for run in body(await api("runs"))["runs"]}
    assert listed[b] == run_colour(b, None) == body(await api("runs", b))["colour"]
    assert listed[a] == RUN_COLOURS[0]
    compared = body(await api("compare", params={"ids": f"{a},{b}"}))["colours"]
    assert compared == run_colours([(a, 0), (b, None)])  # its own, or the next free one if a has it
