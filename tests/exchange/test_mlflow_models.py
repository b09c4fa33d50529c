"""Registered models, versions and aliases through a real MLflow registry (SQLite backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.exchange.mlflow import import_runs
from jupyter_mlops.store import open_store

mlflow = pytest.importorskip("mlflow")


def registered_store(location: str | Path, tmp_path: Path) -> str:
    (tmp_path / "model.pkl").write_bytes(b"file weights")
    folder = tmp_path / "bert"
    (folder / "tok").mkdir(parents=True)
    (folder / "tok" / "vocab.txt").write_text("a\nb\n")
    (folder / "weights.bin").write_bytes(b"\x00" * 64)
    with mlops.start_run(name="train-file", experiment="churn", store=location):
        mlops.register_model("churn", tmp_path / "model.pkl", alias="staging", tags={"algo": "rf"})
    with mlops.start_run(name="train-dir", experiment="churn", store=location):
        mlops.register_model("churn", folder, alias="production")
    return str(location)


def test_models_go_to_mlflow_and_come_back_without_copies(tracking_uri: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = registered_store(tmp_path / "ours", tmp_path)
    assert main(["export", "mlflow", "--tracking-uri", tracking_uri, "--store", source]) == 0
    out = capsys.readouterr().out
    assert "exported 2 run(s)" in out and "exported 2 model version(s), skipped 0" in out
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    registered = client.get_registered_model("churn")
    assert registered.aliases == {"staging": 1, "production": 2}
    versions = sorted(client.search_model_versions("name = 'churn'"), key=lambda v: int(v.version))
    assert versions[0].tags["algo"] == "rf" and versions[1].tags["jupyter_mlops.kind"] == "directory"
    assert versions[0].source.endswith("/model.pkl") and versions[0].run_id
    downloaded = client.download_artifacts(versions[0].run_id, "model.pkl", str(tmp_path / "dl"))
    assert Path(downloaded).read_bytes() == b"file weights"

    assert main(["export", "mlflow", "--tracking-uri", tracking_uri, "--store", source]) == 0
    assert "exported 0 model version(s)" not in capsys.readouterr().out  # nothing new: no model lines
    assert len(client.search_model_versions("name = 'churn'")) == 2

    fresh = open_store(tmp_path / "fresh")
    report = import_runs(fresh, tracking_uri)
    assert report.models is not None and len(report.models.moved) == 2
    model = fresh.models.get("churn")
    original = open_store(source).models.get("churn")
    assert [(v.version, v.digest, v.kind, v.artifact) for v in model.versions] == [
        (v.version, v.digest, v.kind, v.artifact) for v in original.versions]
    assert model.aliases == {"staging": 1, "production": 2}
    assert model.versions[1].tags == {"algo": "rf"}
    assert (mlops.get_model("churn@production", store=fresh).path() / "tok" / "vocab.txt").read_text() == "a\nb\n"
    assert fresh.get_run(model.versions[0].run_id).name == "train-dir"

    again = import_runs(fresh, tracking_uri)
    assert again.models is not None and again.models.moved == []
    assert fresh.models.get("churn").latest_version == 2
    back = import_runs(open_store(source), tracking_uri)  # into the store they came from: recognised
    assert back.models is not None and back.models.moved == []
    assert open_store(source).models.get("churn").latest_version == 2


def test_native_mlflow_versions_and_model_folders_import(tracking_uri: str, tmp_path: Path) -> None:
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("native")
    (tmp_path / "model.pkl").write_bytes(b"native weights")
    folder = tmp_path / "model_dir"
    folder.mkdir()
    (folder / "MLmodel").write_text("flavors: {}\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "model.pkl"))
        mlflow.log_artifacts(str(folder), "model_dir")
    mlflow.set_experiment("elsewhere")
    with mlflow.start_run() as other:
        mlflow.log_artifact(str(tmp_path / "model.pkl"), "x")
    client = mlflow.MlflowClient()
    client.create_registered_model("native")
    client.create_model_version("native", f"runs:/{run.info.run_id}/model.pkl", run_id=run.info.run_id)
    client.create_model_version("native", f"runs:/{run.info.run_id}/model_dir", run_id=run.info.run_id)
    client.create_model_version("native", f"runs:/{other.info.run_id}/x/model.pkl", run_id=other.info.run_id)
    client.set_registered_model_alias("native", "champion", 2)
    client.create_registered_model("has space")

    store = open_store(tmp_path / "target")
    report = import_runs(store, tracking_uri, experiment="native")
    assert report.models is not None
    assert [label for label, _ in report.models.moved] == ["native/1", "native/2"]
    assert any(label == "native/3" and "not in this import" in why for label, why in report.models.skipped)
    assert any("has space" in label for label, _ in report.models.skipped)
    first, second = mlops.get_model("native/1", store=store), mlops.get_model("native@champion", store=store)
    assert first.path().read_bytes() == b"native weights" and first.artifact == "model.pkl"
    assert second.version == 2 and second.kind == "directory"
    assert (second.path() / "MLmodel").read_text() == "flavors: {}\n"
