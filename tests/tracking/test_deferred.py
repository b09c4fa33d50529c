"""Deferred starts (how ``%%track`` starts a cell's run): the run's row is written with its
first batch, so a short run costs one transaction, and nothing it logs is lost on the way."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from jupyter_mlops.errors import InvalidInput, RunNotFound, StoreReadOnly
from jupyter_mlops.store.entities import ExecutedCell
from jupyter_mlops.store.sqlstore import Store


def test_a_short_deferred_run_is_written_whole_in_one_transaction(store_location: str, monkeypatch) -> None:
    store = mlops.get_store(store_location)
    calls: list[str] = []
    monkeypatch.setattr(store, "create_run", lambda *a, **k: calls.append("create_run"))
    write_batch = store.write_batch
    monkeypatch.setattr(store, "write_batch", lambda batch: calls.append("write_batch") or write_batch(batch))

    run = tracking.start_run("cell [1]", "exp", params={"lr": 0.1}, tags={"stage": "dev"}, store=store,
                             source="cell", notebook_path="/work/a.ipynb", deferred=True)
    run.log_metric("loss", 0.5)
    run.log_params({"units": 4})
    record = [ExecutedCell(position=0, execution_count=1, source_hash="0" * 64, source="x = 1",
                           out_of_order=False, stale=False)]
    run.stage(tags={"mlops.snapshot": "history"}, snapshot=b'{"cells": []}', execution_record=record)
    tracking.end_run("finished", run=run)

    assert calls == ["write_batch"]
    stored = store.get_run(run.id)
    assert (stored.name, stored.experiment, stored.status, stored.source) == ("cell [1]", "exp", "finished", "cell")
    assert stored.notebook_path == "/work/a.ipynb" and stored.ended_at >= stored.started_at
    assert stored.params == {"lr": 0.1, "units": 4}
    assert stored.tags == {"stage": "dev", "mlops.snapshot": "history"}
    assert stored.metrics == {"loss": 0.5}
    assert store.snapshot_bytes(run.id) == b'{"cells": []}'
    assert [c.source for c in store.execution_record(run.id)] == ["x = 1"]


def test_a_failed_deferred_run_keeps_its_error(store_location: str) -> None:
    store = mlops.get_store(store_location)
    run = tracking.start_run("boom", store=store, deferred=True)
    tracking.end_run("failed", run=run, error={"ename": "ValueError", "evalue": "bad", "traceback": "..."})
    stored = store.get_run(run.id)
    assert stored.status == "failed" and stored.error["ename"] == "ValueError"


def test_a_long_deferred_run_shows_as_running_within_a_second(store_location: str) -> None:
    store = mlops.get_store(store_location)
    run = tracking.start_run("long", store=store, deferred=True)
    try:
        run.log_metric("loss", 1.0)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            found = store.search_runs("name = 'long'")
            if found:
                break
            time.sleep(0.05)
        assert [r.status for r in found] == ["running"]
        assert time.monotonic() - (deadline - 5) < 1 + tracking.FLUSH_INTERVAL
    finally:
        tracking.end_run(run=run)
    assert store.get_run(run.id).metrics == {"loss": 1.0}


def test_what_needs_the_row_writes_it_first(store_dir: Path, tmp_path: Path) -> None:
    store = mlops.get_store(store_dir)
    artifact = tmp_path / "model.txt"
    artifact.write_text("weights")
    with tracking.start_run("parent", store=store, deferred=True) as parent:
        mlops.set_tag("owner", "ana")
        mlops.output("path", "/data/x.parquet")
        mlops.log_artifact(artifact)
        parent.set_note("first try")
        with tracking.start_run("child", store=store, deferred=True) as child:
            mlops.log_metric("acc", 0.5)
        with mlops.start_run("explicit", parent=parent.id, store=store) as other:
            pass
    stored = store.get_run(parent.id)
    assert stored.tags == {"owner": "ana"} and stored.outputs == {"path": "/data/x.parquet"}
    assert stored.note == "first try" and [a.name for a in store.artifacts(parent.id)] == ["model.txt"]
    assert store.get_run(child.id).parent_id == parent.id == store.get_run(other.id).parent_id
    assert store.get_run(child.id).metrics == {"acc": 0.5}


def test_a_deferred_start_refuses_bad_input_at_once(store_dir: Path) -> None:
    store = mlops.get_store(store_dir)
    with pytest.raises(InvalidInput, match="run name"):
        tracking.start_run(" ", store=store, deferred=True)
    with pytest.raises(RunNotFound):
        tracking.start_run("orphan", parent="nosuchrun0000", store=store, deferred=True)
    with pytest.raises(InvalidInput, match="JSON value"):
        tracking.start_run("p", params={"f": object()}, store=store, deferred=True)
    assert tracking.active_run() is None
    assert store.search_runs() == []


def test_a_deferred_start_on_a_read_only_store_is_refused_at_once(store_dir: Path, monkeypatch) -> None:
    store = Store(str(store_dir))
    monkeypatch.setattr(store, "read_only", True)
    with pytest.raises(StoreReadOnly, match="cannot be written"):
        tracking.start_run("x", store=store, deferred=True)
    assert tracking.active_run() is None


def test_a_failed_first_write_keeps_the_run_for_the_next(store_dir: Path, monkeypatch) -> None:
    store = mlops.get_store(store_dir)
    run = tracking.start_run("retry", store=store, deferred=True)
    run.log_metric("x", 1.0)
    write_batch = store.write_batch
    failures = iter([True])

    def flaky(batch):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise OSError("disk full")
        return write_batch(batch)

    monkeypatch.setattr(store, "write_batch", flaky)
    with pytest.raises(OSError, match="disk full"):
        run.flush()
    tracking.end_run(run=run)
    stored = store.get_run(run.id)
    assert stored.status == "finished" and stored.metrics == {"x": 1.0}
