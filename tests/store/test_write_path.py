"""The write path's prebuilt statements on both databases, and the light reads that the
tracked-cell summary and a joining writer use instead of SQL of their own."""

from __future__ import annotations

import array
import math

import pytest

from jupyter_mlops.errors import ParamConflict, RunNotFound
from jupyter_mlops.store import open_store
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.sqlstore import NewRun, WriteBatch


def _points(steps: list[int], values: list[float], at: float) -> tuple[array.array, array.array, array.array]:
    return array.array("q", steps), array.array("d", values), array.array("d", [at] * len(steps))


def test_batches_to_one_run_append_chunks_and_keep_the_latest_of_the_highest_step(store_location: str) -> None:
    store = open_store(store_location)
    run_id = new_run_id()
    store.write_batch(WriteBatch(creates={run_id: NewRun(name="r", experiment="e")},
                                 series={(run_id, "loss"): _points([0, 1], [1.0, 0.5], 10.0)},
                                 params={run_id: {"lr": 0.1}}))
    store.write_batch(WriteBatch(series={(run_id, "loss"): _points([2], [float("nan")], 11.0),
                                         (run_id, "acc"): _points([0], [0.9], 11.0)},
                                 params={run_id: {"lr": 0.1, "depth": 3}}, tags={run_id: {"who": "<b>ana</b>"}}))
    # a point of an older step logged later (another writer) is kept in the history, but the
    # latest value stays the one of the highest step
    store.write_batch(WriteBatch(series={(run_id, "loss"): _points([1], [7.0], 12.0)},
                                 ends={run_id: ("finished", 13.0, None)}))
    history = store.metric_history(run_id, "loss")
    assert list(history.steps) == [0, 1, 2, 1]
    run = store.get_run(run_id)
    assert math.isnan(run.metrics["loss"]) and run.metrics["acc"] == 0.9
    assert run.params == {"lr": 0.1, "depth": 3} and run.tags == {"who": "<b>ana</b>"}
    assert run.status == "finished" and run.ended_at == 13.0


def test_a_param_changed_by_another_writer_is_a_warning_and_stays(store_location: str) -> None:
    store = open_store(store_location)
    run_id = new_run_id()
    store.create_run(run_id, name="r", experiment="e", params={"lr": 0.1})
    warnings = store.write_batch(WriteBatch(params={run_id: {"lr": 0.2}}))
    assert warnings and "lr" in warnings[0]
    with pytest.raises(ParamConflict):
        store.log_params(run_id, {"lr": 0.3, "new": 1})
    assert store.get_run(run_id).params == {"lr": 0.1}  # nothing of the refused call was written


def test_the_brief_of_a_run_and_its_last_steps(store_location: str) -> None:
    store = open_store(store_location)
    run_id = new_run_id()
    store.create_run(run_id, name="brief", experiment="e", started_at=100.0)
    store.write_batch(WriteBatch(series={(run_id, "loss"): _points([0, 5], [1.0, float("inf")], 101.0)},
                                 ends={run_id: ("failed", 104.5, {"ename": "ValueError"})}))
    brief = store.run_brief(run_id)
    assert (brief.name, brief.status, brief.duration) == ("brief", "failed", 4.5)
    assert brief.metrics == {"loss": float("inf")}
    assert store.last_steps(run_id) == {"loss": 5}
    assert store.get_run(run_id).error == {"ename": "ValueError"}
    with pytest.raises(RunNotFound):
        store.run_brief("nosuchrun")
    store.analyze()  # refreshes the planner's statistics, on either database
