"""The user of a run goes to MLflow as ``mlflow.user`` and comes back from it."""

from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exchange.mlflow import export_runs, import_runs
from jupyter_mlops.store import open_store

mlflow = pytest.importorskip("mlflow")


def test_user_round_trips_through_mlflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    with mlops.start_run("by-ana", experiment="shared", store=tmp_path / "ours") as run:
        mlops.log_metric("acc", 0.5)
    export_runs(open_store(tmp_path / "ours"), uri)
    client = mlflow.MlflowClient(tracking_uri=uri)
    [exported] = client.search_runs([client.get_experiment_by_name("shared").experiment_id])
    assert exported.data.tags["mlflow.user"] == "ana"

    monkeypatch.setenv("JUPYTERHUB_USER", "bob")  # whoever imports, the run stays ana's
    fresh = open_store(tmp_path / "theirs")
    import_runs(fresh, uri)
    [imported] = fresh.search_runs("user = 'ana'")
    assert imported.name == "by-ana" and imported.id != run.id
    assert "mlflow.user" not in imported.tags
