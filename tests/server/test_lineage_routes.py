"""The lineage routes on a real Jupyter server: a run's files, the graph around a run or a
file, the user in run payloads, and bad requests as JSON errors."""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.utils import url_path_join

import jupyter_mlops as mlops
from jupyter_mlops.capture import files as capture
from tests.support.server import body


def pipeline_runs(root: Path, store: Path) -> tuple[str, str]:
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "raw.csv").write_text("x\n1\n")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with mlops.start_run("prepare", store=store) as prepare, mlops.capture_files():
            text = Path("data/raw.csv").read_text()
            Path("data/clean.csv").write_text(text.upper())
        with mlops.start_run("train", store=store) as train, mlops.capture_files():
            Path("data/clean.csv").read_text()
            Path("model.pkl").write_bytes(b"weights")
        with mlops.start_run("train", store=store, parent=None):
            pass
        capture.flush()
    finally:
        os.chdir(cwd)
    return prepare.id, train.id


async def test_files_and_lineage_of_a_run_and_of_a_file(api: Any, root_store: Path, jp_root_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    prepare, train = pipeline_runs(jp_root_dir, root_store)
    files = body(await api("runs", prepare, "files"))
    assert files["run_id"] == prepare
    assert [(f["role"], f["path"]) for f in files["files"]] == [("input", "data/raw.csv"), ("output", "data/clean.csv")]
    assert files["files"][0]["digest"].startswith("sha256:") and files["files"][0]["size"] == 4
    only_outputs = body(await api("runs", prepare, "files", params={"role": "output"}))["files"]
    assert [f["path"] for f in only_outputs] == ["data/clean.csv"]

    graph = body(await api("lineage", params={"run": train}))
    runs = {n["run_id"] for n in graph["nodes"] if n["kind"] == "run"}
    assert runs == {prepare, train}
    assert {e["kind"] for e in graph["edges"]} == {"read", "wrote"}
    by_file = body(await api("lineage", params={"path": "data/raw.csv"}))
    assert {n["run_id"] for n in by_file["nodes"] if n["kind"] == "run"} == {prepare, train}
    assert by_file["start"][0].startswith("file:data/raw.csv@sha256:")
    # a file node's own path (as recorded) re-centres the graph, whatever the server's cwd
    clean = next(n for n in graph["nodes"] if n["kind"] == "file" and n["path"] == "data/clean.csv")
    by_record = body(await api("lineage", params={"file": clean["path"], "path": ""}))
    assert by_record["start"] == [clean["id"]]
    assert {n["run_id"] for n in by_record["nodes"] if n["kind"] == "run"} == {prepare, train}

    detail = body(await api("runs", prepare))
    assert detail["user"] == "ana" and [f["path"] for f in detail["files"]] == ["data/raw.csv", "data/clean.csv"]
    listed = body(await api("runs", params={"filter": "user = 'ana'"}))
    assert {r["id"] for r in listed["runs"]} >= {prepare, train} and listed["runs"][0]["user"] == "ana"


@pytest.mark.parametrize(("parts", "params", "status", "code"), [
    (("runs", "0000nosuchrun", "files"), {}, 404, "run_not_found"),
    (("runs", "RUN", "files"), {"role": "both"}, 400, "invalid_input"),
    (("lineage",), {"run": "0000nosuchrun"}, 404, "run_not_found"),
    (("lineage",), {}, 400, "invalid_input"),
    (("lineage",), {"path": "data/never-recorded.csv"}, 404, "path_not_tracked"),
    (("lineage",), {"file": "data/never-recorded.csv"}, 404, "path_not_tracked"),
    (("lineage",), {"file": "../../etc/passwd"}, 404, "path_not_tracked"),
    (("lineage",), {"file": "data/raw.csv", "run": "RUN"}, 400, "invalid_input"),
    (("lineage",), {"path": "../../etc/passwd"}, 403, "path_outside_root"),
    (("lineage",), {"path": "nowhere/deep/file.csv"}, 404, "path_not_found"),
    (("lineage",), {"path": "<img src=x onerror=alert(1)>.csv"}, 404, "path_not_tracked"),
    (("lineage",), {"path": "<script>alert(1)</script>"}, 404, "path_not_found"),
    (("lineage",), {"path": "a\x00b"}, 404, "path_not_tracked"),  # tornado reads NUL as a space
])
async def test_bad_lineage_requests_get_json_errors(api: Any, root_store: Path, jp_root_dir: Path,
                                                    parts: tuple[str, ...], params: dict[str, str],
                                                    status: int, code: str) -> None:
    prepare, _ = pipeline_runs(jp_root_dir, root_store)
    quoted = [urllib.parse.quote(prepare if p == "RUN" else p, safe="") for p in parts]
    params = {k: prepare if v == "RUN" else v for k, v in params.items()}
    response = await api(*quoted, params=params, raise_error=False)
    assert response.code == status, response.body
    reply = body(response)
    assert reply["error"] == code and reply["detail"]
    assert "Traceback" not in reply["detail"]


@pytest.mark.parametrize("route", ["lineage?path=data/raw.csv", "runs/RUN/files"])
async def test_lineage_routes_refuse_requests_without_the_token(http_server_client: Any, jp_base_url: str,
                                                                root_store: Path, jp_root_dir: Path,
                                                                route: str) -> None:
    prepare, _ = pipeline_runs(jp_root_dir, root_store)
    response = await http_server_client.fetch(url_path_join(jp_base_url, "mlops/api", route.replace("RUN", prepare)),
                                              raise_error=False)
    assert response.code == 403 and b"raw.csv" not in response.body
    json.loads(response.body)
