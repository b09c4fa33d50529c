"""Logging to an ended run, and numbers the store cannot hold, are refused at the call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidInput, NoActiveRun


def test_every_logging_method_of_an_ended_run_raises_no_active_run(store_location: str, tmp_path: Path) -> None:
    artifact = tmp_path / "a.txt"
    artifact.write_text("x")
    run = mlops.start_run(name="short", store=store_location)
    run.log_metric("loss", 1.0)  # a key this run already has
    run.end()
    calls = {
        "log_metric on a known key": lambda: run.log_metric("loss", 0.5),
        "log_metric on a new key": lambda: run.log_metric("acc", 0.5),
        "log_metrics": lambda: run.log_metrics({"loss": 0.1}),
        "log_param": lambda: run.log_param("lr", 0.1),
        "log_params": lambda: run.log_params({"lr": 0.1}),
        "set_tag": lambda: run.set_tag("k", "v"),
        "set_tags": lambda: run.set_tags({"k": "v"}),
        "stage": lambda: run.stage(tags={"k": "v"}),
        "set_note": lambda: run.set_note("late"),
        "log_artifact": lambda: run.log_artifact(artifact),
        "output": lambda: run.output("path", "x"),
    }
    for what, call in calls.items():
        with pytest.raises(NoActiveRun, match=f"run {run.id} has ended"):
            call()
            pytest.fail(f"{what} was accepted after end()")
    stored = mlops.get_store(store_location).get_run(run.id)
    assert stored.metrics == {"loss": 1.0} and [p.value for p in stored.metric_history("loss")] == [1.0]
    assert stored.params == {} and stored.tags == {} and stored.note == "" and stored.outputs == {}
    assert stored.artifacts() == []


@pytest.mark.parametrize("step", [2**63, -(2**63) - 1, 10**30, np.uint64(2**64 - 1)])
def test_a_step_beyond_int64_names_the_metric_the_step_and_the_range(store_location: str, step: object) -> None:
    with mlops.start_run(store=store_location) as run:
        run.log_metric("loss", 1.0, step=3)
        with pytest.raises(InvalidInput) as caught:
            run.log_metric("loss", 0.5, step=step)  # type: ignore[arg-type]
        message = str(caught.value)
        assert "'loss'" in message and str(int(step)) in message  # type: ignore[call-overload]
        assert "-9223372036854775808 to 9223372036854775807" in message
        run.log_metric("loss", 0.25, step=2**63 - 1)  # the largest step is fine
    history = mlops.get_store(store_location).get_run(run.id).metric_history("loss")
    assert list(history.steps) == [3, 2**63 - 1] and list(history.values) == [1.0, 0.25]


def test_the_step_after_the_largest_one_is_refused_too(store_location: str) -> None:
    with mlops.start_run(store=store_location) as run:
        run.log_metric("x", 1.0, step=2**63 - 1)
        with pytest.raises(InvalidInput, match="step 9223372036854775808 of metric 'x'"):
            run.log_metric("x", 2.0)  # the next step counts past int64


@pytest.mark.parametrize("value", [10**400, -(10**309)])
def test_a_metric_value_beyond_float64_is_a_clear_error(store_location: str, value: int) -> None:
    with mlops.start_run(store=store_location) as run:
        with pytest.raises(InvalidInput) as caught:
            mlops.log_metric("big", value)
        message = str(caught.value)
        assert "metric 'big'" in message and "too large" in message and "64-bit floats" in message
        assert len(message) < 300  # a 400-digit number is abbreviated, not pasted whole
        run.log_metric("big", 10**300)  # large, but a float holds it
    assert mlops.get_store(store_location).get_run(run.id).metrics == {"big": 1e300}


def test_a_store_of_32_bit_step_columns_is_upgraded_to_int64(store_location: str) -> None:
    """PostgreSQL stores of schema version 3 kept steps in 32-bit INTEGER columns."""
    from sqlalchemy import create_engine

    from jupyter_mlops.store import forget_stores, schema

    if not store_location.startswith("postgresql"):
        pytest.skip("SQLite's INTEGER columns always held 64 bits")
    engine = create_engine("postgresql+psycopg://" + store_location.split("://", 1)[1])
    with engine.begin() as conn:
        for migrate in schema.MIGRATIONS[:3]:
            migrate(conn)
        schema.write_version(conn, 3)
        conn.exec_driver_sql("ALTER TABLE metric_chunks ALTER COLUMN min_step TYPE INTEGER, "
                             "ALTER COLUMN max_step TYPE INTEGER")
        conn.exec_driver_sql("ALTER TABLE latest_metrics ALTER COLUMN step TYPE INTEGER")
    engine.dispose()
    forget_stores()
    with mlops.start_run(store=store_location) as run:
        run.log_metric("x", 1.0, step=2**40)
    stored = mlops.get_store(store_location).get_run(run.id)
    assert list(stored.metric_history("x").steps) == [2**40]
