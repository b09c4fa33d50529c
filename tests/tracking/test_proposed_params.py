"""Params that capture proposes (what ``%%track`` reads from a cell before it runs): stored with
the run's next batch, replaced when the code logs another value or capture proposes again,
removed when withdrawn; what the code logged itself never changes. Other processes read the
store, so every step is checked there."""

from __future__ import annotations

import pytest

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from jupyter_mlops.errors import InvalidInput, ParamConflict


def test_proposed_params_are_stored_replaced_and_withdrawn(store_location: str) -> None:
    reader = mlops.get_store(store_location)
    run = tracking.start_run("cell [1]", store=store_location, source="cell", deferred=True,
                             proposed_params={"lr": 0.1, "epochs": 5, "bad": object()})
    try:
        run.flush()
        assert reader.get_run(run.id).params == {"lr": 0.1, "epochs": 5}  # the bad one left out
        run.log_params({"lr": 0.01})  # the code's value wins over the captured one
        run.propose_param("epochs", 7)  # a later assignment (a span's next cell)
        run.flush()
        assert reader.get_run(run.id).params == {"lr": 0.01, "epochs": 7}
        run.withdraw_params(["epochs", "lr"])  # lr is the code's own now: it stays
        run.flush()
        assert reader.get_run(run.id).params == {"lr": 0.01}
        with pytest.raises(ParamConflict, match="'lr' of run .* is already logged as 0.01"):
            run.propose_param("lr", 0.5)
        with pytest.raises(ParamConflict):
            run.log_params({"lr": 0.5})
        with pytest.raises(InvalidInput, match="must be a JSON value"):
            run.propose_param("thing", object())
    finally:
        tracking.end_run("finished", run=run)
    assert reader.get_run(run.id).params == {"lr": 0.01}


def test_a_failed_write_keeps_the_withdrawal_for_the_next_one(store_location: str, monkeypatch) -> None:
    store = mlops.get_store(store_location)
    run = tracking.start_run("cell [2]", store=store, source="cell", deferred=True, proposed_params={"x": 1})
    run.flush()
    run.withdraw_params(["x"])
    write_batch = store.write_batch
    monkeypatch.setattr(store, "write_batch", lambda batch: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        run.flush()
    monkeypatch.setattr(store, "write_batch", write_batch)
    tracking.end_run("finished", run=run)
    assert store.get_run(run.id).params == {}
