"""The REST API over a PostgreSQL store (``--MlopsApp.store=postgresql://...``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import body, track_run


@pytest.fixture
def pg_url(postgres_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JUPYTER_MLOPS_BLOBS", str(tmp_path / "blobs"))
    return str(postgres_server.create_database())


@pytest.fixture
def jp_server_config(pg_url: str) -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}}, "MlopsApp": {"store": pg_url}}


async def test_the_routes_work_unchanged_on_postgres(api: Any, pg_url: str) -> None:
    first = track_run(pg_url, "on-pg", experiment="team", params={"lr": 0.1}, metrics={"loss": [1.0, 0.5, 0.25]})
    track_run(pg_url, "other", experiment="team", params={"lr": 0.5}, metrics={"loss": [2.0]})
    page = body(await api("runs", params={"filter": "params.lr < 0.2", "experiment": "team"}))
    assert [r["name"] for r in page["runs"]] == ["on-pg"] and page["total"] == 1
    assert body(await api("experiments")) is not None
    history = body(await api("runs", first, "metrics", "loss", params={"max_points": "10"}))
    assert json.dumps(history).count("0.25") >= 1
    await api("runs", first, method="PATCH", body=json.dumps({"note": "checked", "tags": {"stage": "prod"}}))
    detail = body(await api("runs", first))
    assert detail["note"] == "checked" and detail["tags"] == {"stage": "prod"}
    bad = await api("runs", params={"filter": "params.lr <"}, raise_error=False)
    assert bad.code == 400
    await api("runs", first, method="DELETE")
    assert (await api("runs", first, raise_error=False)).code == 404


async def test_the_registry_routes_work_on_postgres(api: Any, pg_url: str, tmp_path: Path) -> None:
    import jupyter_mlops as mlops

    (tmp_path / "model.pkl").write_bytes(b"weights")
    with mlops.start_run(name="train", store=pg_url) as run:
        mlops.register_model("churn", tmp_path / "model.pkl")
    await api("models", "churn", "aliases", "production", method="PUT", body=json.dumps({"version": 1}))
    detail = body(await api("models", "churn"))
    assert detail["versions"][0]["run_id"] == run.id and detail["aliases"] == {"production": 1}
    assert [m["to_version"] for m in detail["alias_history"]] == [1]
    assert body(await api("models"))["models"][0]["name"] == "churn"
    refused = await api("runs", run.id, method="DELETE", raise_error=False)
    assert refused.code == 409
