"""The registry's REST routes on a real Jupyter server: models, versions, alias moves, errors."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.utils import url_path_join

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store
from tests.support.server import body


def register_versions(store: str | Path, tmp_path: Path, count: int = 2) -> list[str]:
    run_ids = []
    for i in range(count):
        (tmp_path / "model.pkl").write_bytes(f"weights {i}".encode())
        with mlops.start_run(name=f"train-{i}", store=store) as run:
            mlops.register_model("churn", tmp_path / "model.pkl")
        run_ids.append(run.id)
    return run_ids


async def test_models_versions_and_alias_moves(api: Any, root_store: Path, tmp_path: Path) -> None:
    assert body(await api("models")) == {"models": []}
    first, second = register_versions(root_store, tmp_path)
    [listed] = body(await api("models"))["models"]
    assert (listed["name"], listed["latest_version"], listed["aliases"]) == ("churn", 2, {})
    assert listed["user"] and listed["created_at"] > 0

    moved = body(await api("models", "churn", "aliases", "production", method="PUT", body=json.dumps({"version": 1})))
    assert moved["version"] == 1 and moved["aliases"] == ["production"] and moved["run_id"] == first
    await api("models", "churn", "aliases", "production", method="PUT", body=json.dumps({"version": 2}))
    detail = body(await api("models", "churn"))
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert [v["run_id"] for v in detail["versions"]] == [second, first]
    assert detail["versions"][0]["run"]["name"] == "train-1" and detail["versions"][0]["digest"].startswith("sha256:")
    assert detail["aliases"] == {"production": 2} and detail["total_versions"] == 2
    assert [(m["from_version"], m["to_version"]) for m in detail["alias_history"]] == [(None, 1), (1, 2)]
    assert [v["version"] for v in body(await api("models", "churn", params={"limit": "1", "offset": "1"}))["versions"]] == [1]

    deleted = await api("models", "churn", "aliases", "production", method="DELETE")
    assert deleted.code == 204
    detail = body(await api("models", "churn"))
    assert detail["aliases"] == {} and detail["alias_history"][-1]["to_version"] is None


@pytest.mark.parametrize(("method", "parts", "payload", "status", "code"), [
    ("GET", ("models", "nope"), None, 404, "model_not_found"),
    ("GET", ("models", "bad name"), None, 400, "invalid_input"),
    ("GET", ("models", "churn"), {"limit": "0"}, 400, "invalid_input"),
    ("PUT", ("models", "churn", "aliases", "prod"), {"version": 9}, 404, "version_not_found"),
    ("PUT", ("models", "churn", "aliases", "prod"), {"version": 10**30}, 404, "version_not_found"),
    ("PUT", ("models", "churn", "aliases", "prod"), {"version": "1"}, 400, "invalid_input"),
    ("PUT", ("models", "churn", "aliases", "prod"), {"version": True}, 400, "invalid_input"),
    ("PUT", ("models", "churn", "aliases", "prod"), [1], 400, "invalid_input"),
    ("PUT", ("models", "churn", "aliases", "prod-1"), {"version": 1}, 400, "invalid_input"),
    ("PUT", ("models", "churn", "aliases", "<b>x</b>"), {"version": 1}, 400, "invalid_input"),
    ("PUT", ("models", "nope", "aliases", "prod"), {"version": 1}, 404, "model_not_found"),
    ("PUT", ("models", "churn", "aliases", "prod"), "not json", 400, "invalid_json"),
    ("DELETE", ("models", "churn", "aliases", "prod"), None, 404, "alias_not_found"),
    ("GET", ("models", "churn", "aliases", "prod"), None, 405, "method_not_allowed"),
])
async def test_bad_requests_get_json_errors_and_change_nothing(api: Any, root_store: Path, tmp_path: Path,
                                                               method: str, parts: tuple[str, ...], payload: Any,
                                                               status: int, code: str) -> None:
    register_versions(root_store, tmp_path, count=1)
    kwargs: dict[str, Any] = {"method": method, "raise_error": False}
    if method == "PUT":
        kwargs["body"] = payload if isinstance(payload, str) else json.dumps(payload)
    elif payload:
        kwargs["params"] = payload
    quoted = [urllib.parse.quote(part, safe="") for part in parts]
    response = await api(*quoted, **kwargs)
    assert response.code == status, response.body
    reply = body(response)
    assert reply["error"] == code and reply["detail"]
    model = open_store(str(root_store)).models.get("churn")
    assert model.aliases == {} and model.alias_history == [] and model.latest_version == 1


async def test_a_run_with_registered_versions_is_deleted_only_with_force(api: Any, root_store: Path,
                                                                         tmp_path: Path) -> None:
    [run_id] = register_versions(root_store, tmp_path, count=1)
    refused = await api("runs", run_id, method="DELETE", raise_error=False)
    assert refused.code == 409 and body(refused)["error"] == "run_has_registered_models"
    assert "churn/1" in body(refused)["detail"]
    assert body(await api("runs", run_id))["id"] == run_id
    forced = await api("runs", run_id, method="DELETE", params={"force": "1"})
    assert forced.code == 200 and body(forced) == {"deleted": run_id, "children": 0}
    version = body(await api("models", "churn"))["versions"][0]
    assert version["run_id"] == run_id and version["run"] is None  # the version stays, its run is gone


@pytest.mark.parametrize(("method", "route"), [
    ("GET", "models"), ("GET", "models/churn"), ("PUT", "models/churn/aliases/prod"),
    ("DELETE", "models/churn/aliases/prod"),
])
async def test_registry_routes_refuse_requests_without_the_token(http_server_client: Any, jp_base_url: str,
                                                                 root_store: Path, tmp_path: Path, method: str,
                                                                 route: str) -> None:
    register_versions(root_store, tmp_path, count=1)
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "mlops/api", route), method=method,
        body=json.dumps({"version": 1}) if method == "PUT" else None, raise_error=False)
    assert response.code == 403 and b"churn" not in response.body
    assert open_store(str(root_store)).models.get("churn").aliases == {}
