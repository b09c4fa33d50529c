from __future__ import annotations

import math
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidInput, NoActiveRun, ParamConflict, RunNotFound


def test_a_run_keeps_typed_params_metrics_tags_and_outputs(store_location: str) -> None:
    with mlops.start_run(name="train", experiment="exp", params={"lr": 0.1, "epochs": 3},
                         tags={"stage": "dev"}, store=store_location) as run:
        mlops.log_param("layers", [64, 32])
        mlops.log_params({"opt": "adam", "dropout": None, "nested": {"a": 1}})
        mlops.log_param("epochs", 3)  # the same value again is fine
        for step in range(5):
            mlops.log_metric("loss", 1.0 / (step + 1))
        mlops.log_metrics({"acc": 0.9, "f1": 0.8}, step=10)
        mlops.set_tag("owner", "ana")
        mlops.output("path", "/data/x.parquet")
        assert mlops.active_run() is run
    assert mlops.active_run() is None

    stored = mlops.get_store(store_location).get_run(run.id)
    assert stored.status == "finished" and stored.ended_at is not None
    assert stored.params == {"lr": 0.1, "epochs": 3, "layers": [64, 32], "opt": "adam", "dropout": None,
                             "nested": {"a": 1}}
    assert type(stored.params["epochs"]) is int
    assert stored.metrics == {"loss": 0.2, "acc": 0.9, "f1": 0.8}
    assert stored.tags == {"stage": "dev", "owner": "ana"}
    assert stored.outputs == {"path": "/data/x.parquet"}
    history = stored.metric_history("loss")
    assert [p.step for p in history] == [0, 1, 2, 3, 4]
    assert [p.value for p in history] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert stored.metric_history("acc")[0].step == 10


def test_nested_runs_and_explicit_parents(store_location: str) -> None:
    with mlops.start_run(name="sweep", store=store_location) as parent:
        with mlops.start_run(name="child-1", store=store_location) as child:
            mlops.log_metric("acc", 0.5)
        other = mlops.start_run(name="child-2", parent=parent.id, store=store_location)
        mlops.end_run(run=other)
        mlops.log_metric("best", 0.5)  # back on the parent
    store = mlops.get_store(store_location)
    assert store.get_run(child.id).parent_id == parent.id
    assert [r.name for r in store.get_run(parent.id).children()] == ["child-1", "child-2"]
    assert store.get_run(parent.id).metrics == {"best": 0.5}
    with pytest.raises(RunNotFound):
        mlops.start_run(parent="nosuchrun0000", store=store_location)


def test_an_exception_marks_the_run_failed_and_propagates(store_location: str) -> None:
    with pytest.raises(ZeroDivisionError), mlops.start_run(store=store_location) as run:
        mlops.log_metric("x", 1)
        1 / 0  # noqa: B018
    stored = mlops.get_store(store_location).get_run(run.id)
    assert stored.status == "failed"
    assert stored.error is not None and stored.error["ename"] == "ZeroDivisionError"
    assert "1 / 0" in stored.error["traceback"]
    assert stored.metrics == {"x": 1.0}


def test_ctrl_c_marks_the_run_interrupted(store_location: str) -> None:
    with pytest.raises(KeyboardInterrupt), mlops.start_run(store=store_location) as run:
        raise KeyboardInterrupt
    assert mlops.get_store(store_location).get_run(run.id).status == "interrupted"


def test_nan_and_inf_are_kept_and_numpy_numbers_accepted(store_location: str) -> None:
    numpy = pytest.importorskip("numpy")
    with mlops.start_run(store=store_location) as run:
        mlops.log_metric("nan", float("nan"))
        mlops.log_metric("inf", float("inf"))
        mlops.log_metric("ninf", -math.inf)
        mlops.log_metric("np", numpy.float32(0.5))
        mlops.log_metric("np", numpy.int64(3))
    stored = mlops.get_store(store_location).get_run(run.id)
    assert math.isnan(stored.metrics["nan"])
    assert stored.metrics["inf"] == math.inf and stored.metrics["ninf"] == -math.inf
    assert stored.metrics["np"] == 3.0
    assert math.isnan(stored.metric_history("nan")[0].value)
    store = mlops.get_store(store_location)
    assert [r.id for r in store.search_runs("metrics.inf > 1e308")] == [run.id]
    assert [r.id for r in store.search_runs("metrics.nan = nan")] == [run.id]


@pytest.mark.parametrize("value", ["0.5", None, [1.0], True, object()])
def test_non_numeric_metric_values_are_a_clear_type_error(store_location: str, value: object) -> None:
    with mlops.start_run(store=store_location):
        with pytest.raises(TypeError, match="metric 'loss' must be a number"):
            mlops.log_metric("loss", value)
        mlops.log_metric("loss", 1.0)
        with pytest.raises(TypeError, match="step of metric 'loss' must be a whole number"):
            mlops.log_metric("loss", 1.0, step=1.5)  # type: ignore[arg-type]


def test_a_param_logged_again_with_another_value_is_refused_with_both_values(store_location: str) -> None:
    with mlops.start_run(params={"lr": 0.1}, store=store_location) as run, pytest.raises(
        ParamConflict, match=r"'lr'.*already 0\.1.*cannot change to 0\.2"
    ):
        mlops.log_param("lr", 0.2)
    assert mlops.get_store(store_location).get_run(run.id).params == {"lr": 0.1}


@pytest.mark.parametrize("name", ["", "   ", "x" * 251])
def test_empty_or_over_long_names_are_refused(store_location: str, name: str) -> None:
    with pytest.raises(InvalidInput, match="run name"):
        mlops.start_run(name=name, store=store_location)
    with pytest.raises(InvalidInput, match="experiment name"):
        mlops.start_run(experiment=name, store=store_location)
    with mlops.start_run(store=store_location) as run:
        with pytest.raises(InvalidInput, match="metric name"):
            mlops.log_metric(name, 1.0)
        with pytest.raises(InvalidInput, match="param name"):
            mlops.log_param(name, 1)
        with pytest.raises(InvalidInput, match="tag name"):
            mlops.set_tag(name, "v")
    assert mlops.get_store(store_location).get_run(run.id).status == "finished"


def test_unserialisable_params_and_outputs_are_refused(store_location: str) -> None:
    with mlops.start_run(store=store_location):
        with pytest.raises(InvalidInput, match="must be a JSON value"):
            mlops.log_param("model", object())
        with pytest.raises(InvalidInput, match="must be a JSON value"):
            mlops.output("model", object())


def test_logging_without_a_run_says_how_to_start_one() -> None:
    with pytest.raises(NoActiveRun, match="start_run"):
        mlops.log_metric("x", 1.0)


def test_unknown_run_id(store_location: str) -> None:
    store = mlops.get_store(store_location)
    with pytest.raises(RunNotFound, match="no run with id 'nope'"):
        store.get_run("nope")


def test_artifacts_are_stored_once_and_read_back(store_dir: Path, tmp_path: Path) -> None:
    payload = tmp_path / "model.bin"
    payload.write_bytes(b"weights" * 1000)
    with mlops.start_run(store=store_dir) as first:
        mlops.log_artifact(payload)
    with mlops.start_run(store=store_dir) as second:
        mlops.log_artifact(payload, name="copy.bin")
    store = mlops.get_store(store_dir)
    [a] = store.get_run(first.id).artifacts()
    [b] = store.get_run(second.id).artifacts()
    assert a.digest == b.digest and a.size == 7000
    assert store.artifact_bytes(second.id, "copy.bin") == payload.read_bytes()
    blobs = [p for p in (store_dir / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 1 and blobs[0].stat().st_size < 7000  # compressed, stored once
    with pytest.raises(InvalidInput, match="not a file"):
        store.log_artifact(first.id, tmp_path / "missing.bin")


def test_notes_and_run_updates(store_location: str) -> None:
    with mlops.start_run(store=store_location) as run:
        run.set_note("tried a wider net")
    store = mlops.get_store(store_location)
    updated = store.update_run(run.id, name="wide", tags={"k": "v"})
    assert (updated.name, updated.note, updated.tags) == ("wide", "tried a wider net", {"k": "v"})


def test_a_run_with_ids_sortable_by_time(store_location: str) -> None:
    ids = []
    for _ in range(20):
        with mlops.start_run(store=store_location) as run:
            ids.append(run.id)
    assert ids == sorted(ids) and len(set(ids)) == 20


def test_search_runs_as_a_dataframe(store_location: str) -> None:
    pytest.importorskip("pandas")
    for lr in (0.1, 0.2):
        with mlops.start_run(params={"lr": lr}, store=store_location):
            mlops.log_metric("acc", lr * 4)
    frame = mlops.search_runs(order_by="metrics.acc desc", store=store_location)
    assert list(frame["params.lr"]) == [0.2, 0.1]
    assert list(frame["metrics.acc"]) == [0.8, 0.4]
    assert {"run_id", "status", "started_at"} <= set(frame.columns)


def test_importing_the_package_stays_cheap() -> None:
    import subprocess
    import sys

    code = ("import sys, jupyter_mlops; heavy = [m for m in ('sqlalchemy', 'pandas', 'papermill', "
            "'ipywidgets', 'nbformat', 'IPython') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
