"""Round trips through a real MLflow (SQLite backend): export, import, and no duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.store import open_store

mlflow = pytest.importorskip("mlflow")


@pytest.fixture
def source_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    location = tmp_path / "ours"
    model = tmp_path / "model.txt"
    model.write_text("weights")
    with mlops.start_run(name="sweep", experiment="churn", store=location) as parent:
        for lr in (0.1, 0.01):
            with mlops.start_run(name=f"lr-{lr}", params={"lr": lr, "layers": [8, 4], "opt": "adam",
                                                          "early": True}, tags={"stage": "dev"},
                                 store=location) as child:
                for step in range(2500):
                    mlops.log_metric("loss", 1.0 / (step + 1))
                mlops.log_metric("acc", lr * 5)
                mlops.log_artifact(model, name="models/model.txt")
                mlops.output("path", f"/data/{lr}")
                child.set_note("a note")
    store = open_store(location)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("lr = 0.1")])
    store.set_snapshot(child.id, nbformat.writes(notebook).encode())
    with pytest.raises(ValueError), mlops.start_run(name="broken", experiment="churn", store=location):
        raise ValueError("bad")
    return store, parent.id


def mlflow_runs(uri: str) -> list:  # type: ignore[type-arg]
    client = mlflow.MlflowClient(tracking_uri=uri)
    return [r for e in client.search_experiments() for r in client.search_runs([e.experiment_id])]


def test_export_then_import_keeps_everything_and_never_duplicates(source_store, tracking_uri: str,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path, capsys) -> None:
    store, parent_id = source_store
    assert main(["export", "mlflow", "--tracking-uri", tracking_uri, "--store", store.location]) == 0
    assert "exported 4 run(s)" in capsys.readouterr().out
    exported = mlflow_runs(tracking_uri)
    assert len(exported) == 4
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    child = next(r for r in exported if r.data.tags["mlflow.runName"] == "lr-0.1")
    assert child.data.params["lr"] == "0.1" and child.data.params["opt"] == "adam"
    assert child.data.params["layers"] == "[8, 4]"
    assert len(client.get_metric_history(child.info.run_id, "loss")) == 2500
    parent = next(r for r in exported if r.data.tags["mlflow.runName"] == "sweep")
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child.data.tags["mlflow.note.content"] == "a note"
    assert {r.info.status for r in exported} == {"FINISHED", "FAILED"}
    artifacts = {a.path for a in client.list_artifacts(child.info.run_id)}
    assert {"models", "jupyter_mlops"} <= artifacts

    assert main(["export", "mlflow", "--tracking-uri", tracking_uri, "--store", store.location]) == 0
    assert "exported 0 run(s), skipped 4" in capsys.readouterr().out
    assert len(mlflow_runs(tracking_uri)) == 4

    # into a new store: everything comes back, typed
    fresh = open_store(tmp_path / "fresh")
    assert main(["import", "mlflow", "--tracking-uri", tracking_uri, "--store", fresh.location]) == 0
    assert "imported 4 run(s)" in capsys.readouterr().out
    by_name = {r.name: r for r in fresh.search_runs(limit=None)}
    original = {r.name: r for r in store.search_runs(limit=None)}
    for name, run in by_name.items():
        before = original[name]
        assert run.params == before.params and run.tags == {**before.tags, "mlflow.run_id": run.tags["mlflow.run_id"]}
        assert run.status == before.status and run.note == before.note and run.outputs == before.outputs
        assert run.metrics == before.metrics
        assert abs(run.started_at - before.started_at) < 0.002
    imported_child = by_name["lr-0.01"]
    assert imported_child.parent_id == by_name["sweep"].id
    assert list(imported_child.metric_history("loss").values) == list(original["lr-0.01"].metric_history("loss").values)
    assert fresh.artifact_bytes(imported_child.id, "models/model.txt") == b"weights"
    assert fresh.snapshot(by_name["lr-0.01"].id).cells[0].source == "lr = 0.1"
    assert type(imported_child.params["early"]) is bool

    assert main(["import", "mlflow", "--tracking-uri", tracking_uri, "--store", fresh.location]) == 0
    assert "imported 0 run(s), skipped 4" in capsys.readouterr().out
    # and back into the store they came from: recognised, not copied
    assert main(["import", "mlflow", "--tracking-uri", tracking_uri, "--store", store.location]) == 0
    assert "imported 0 run(s), skipped 4" in capsys.readouterr().out
    assert len(store.search_runs(limit=None)) == 4
    _ = parent_id


def test_native_mlflow_runs_import_with_their_history(tracking_uri: str, tmp_path: Path) -> None:
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("native")
    with mlflow.start_run(run_name="from-mlflow") as run:
        mlflow.log_params({"lr": "0.5", "opt": "sgd"})
        for step in range(3):
            mlflow.log_metric("loss", 3 - step, step=step)
        mlflow.set_tag("team", "vision")
    with mlflow.start_run(run_name="still-going"):
        pass
    client = mlflow.MlflowClient()
    still = client.search_runs([client.get_experiment_by_name("native").experiment_id],
                               "tags.`mlflow.runName` = 'still-going'")[0]
    client.set_terminated(still.info.run_id, "RUNNING")
    store = open_store(tmp_path / "target")
    from jupyter_mlops.exchange.mlflow import import_runs

    report = import_runs(store, tracking_uri, experiment="native")
    assert len(report.moved) == 1 and "running in MLflow" in report.skipped[0][1]
    [ours] = store.search_runs(experiment="native")
    assert ours.name == "from-mlflow" and ours.params == {"lr": 0.5, "opt": "sgd"}
    assert ours.tags == {"team": "vision", "mlflow.run_id": run.info.run_id}
    assert [p.value for p in ours.metric_history("loss")] == [3.0, 2.0, 1.0]
    assert json.loads(json.dumps(ours.to_dict()))["status"] == "finished"


def test_missing_experiment_is_a_clear_error(tracking_uri: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["import", "mlflow", "--tracking-uri", tracking_uri, "--experiment", "nope",
                 "--store", str(tmp_path / "s")]) == 2
    assert "has no experiment named 'nope'" in capsys.readouterr().err


def test_imported_runs_come_in_start_order_children_after_their_parent(tracking_uri: str, tmp_path: Path) -> None:
    """Two sweeps of three children each: imported in the order they started, each child under
    its parent, so consecutive runs get consecutive colour slots (none repeats among the 8)."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("sweeps")
    for sweep in range(2):
        with mlflow.start_run(run_name=f"sweep {sweep}"):
            for child in range(3):
                with mlflow.start_run(run_name=f"sweep {sweep} child {child}", nested=True):
                    mlflow.log_param("lr", 0.1 * (child + 1))
    store = open_store(tmp_path / "target")
    from jupyter_mlops.exchange.mlflow import import_runs

    report = import_runs(store, tracking_uri, experiment="sweeps")
    assert len(report.moved) == 8
    runs = sorted(store.search_runs(experiment="sweeps", limit=100), key=lambda r: (r.started_at, r.name))
    names = {run.id: run.name for run in runs}
    for run in runs:
        if "child" in run.name:
            assert names[run.parent_id] == run.name.rsplit(" child", 1)[0]
    slots = [run.colour_slot for run in runs]
    assert sorted(slots) == list(range(8)), [(run.name, run.colour_slot) for run in runs]
