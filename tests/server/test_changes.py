"""Routes that change runs: PATCH (name, note, tags), DELETE, and POST rerun."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store
from tests.support.server import body


async def test_patch_changes_name_note_and_tags(api: Any, track: Any, root_store: Path) -> None:
    run_id = track("before", tags={"stage": "dev", "owner": "ann"})
    reply = body(
        await api(
            "runs",
            run_id,
            method="PATCH",
            body=json.dumps({"name": "after", "note": "looks good", "tags": {"stage": "prod"}}),
        )
    )
    assert (reply["name"], reply["note"], reply["tags"]) == (
        "after",
        "looks good",
        {"stage": "prod"},
    )
    stored = open_store(str(root_store)).get_run(run_id)
    assert (stored.name, stored.note, stored.tags) == ("after", "looks good", {"stage": "prod"})
    reply = body(await api("runs", run_id, method="PATCH", body='{"note": ""}'))
    assert reply["note"] == "" and reply["name"] == "after"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ('{"status": "finished"}', "cannot change 'status'"),
        ('{"name": 3}', "name must be text"),
        ('{"name": "  "}', "must not be empty"),
        ('{"tags": {"k": 1}}', "tags must be an object of text values"),
        ('{"tags": ["k"]}', "tags must be an object of text values"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
    ],
)
async def test_bad_patches_are_400_and_change_nothing(
    api: Any, track: Any, root_store: Path, payload: str, words: str
) -> None:
    run_id = track("unchanged", tags={"a": "b"})
    response = await api("runs", run_id, method="PATCH", body=payload, raise_error=False)
    assert response.code == 400
    assert words in body(response)["detail"]
    stored = open_store(str(root_store)).get_run(run_id)
    assert (stored.name, stored.tags) == ("unchanged", {"a": "b"})


async def test_patch_of_an_unknown_run_is_a_404(api: Any, track: Any) -> None:
    track("exists")
    response = await api(
        "runs", "0000nosuchrun", method="PATCH", body='{"note": "x"}', raise_error=False
    )
    assert (response.code, body(response)["error"]) == (404, "run_not_found")


async def test_delete_removes_the_run(api: Any, track: Any) -> None:
    keep, doomed = track("keep"), track("doomed")
    response = await api("runs", doomed, method="DELETE")
    assert response.code == 200
    assert body(response) == {"deleted": doomed, "children": 0}
    assert [run["id"] for run in body(await api("runs"))["runs"]] == [keep]
    response = await api("runs", doomed, raise_error=False)
    assert response.code == 404
    response = await api("runs", doomed, method="DELETE", raise_error=False)
    assert (response.code, body(response)["error"]) == (404, "run_not_found")


async def test_a_running_run_is_not_deleted(api: Any, root_store: Path) -> None:
    run = mlops.start_run(name="busy", store=str(root_store))
    try:
        response = await api("runs", run.id, method="DELETE", raise_error=False)
        assert response.code == 409
        assert body(response)["error"] == "run_running"
        assert body(await api("runs", run.id))["status"] == "running"
    finally:
        mlops.end_run()


async def test_rerun_of_a_run_without_a_notebook_is_refused(api: Any, track: Any) -> None:
    run_id = track("from the api")
    response = await api("runs", run_id, "rerun", method="POST", body="{}", raise_error=False)
    assert (response.code, body(response)["error"]) == (400, "not_rerunnable")


async def test_rerun_only_of_notebooks_inside_the_root(
    api: Any, track: Any, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "train.ipynb"
    outside.parent.mkdir()
    outside.write_text("{}")
    run_id = track("outside", notebook_path=str(outside))
    response = await api("runs", run_id, "rerun", method="POST", body="{}", raise_error=False)
    assert response.code == 403
    reply = body(response)
    assert reply["error"] == "path_outside_root"
    assert "jupyter mlops rerun" in reply["detail"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ('{"params": [1]}', "params must be an object"),
        ('{"parms": {}}', "unknown field"),
        ("7", "must be a JSON object"),
    ],
)
async def test_bad_rerun_bodies_are_400(api: Any, track: Any, payload: str, words: str) -> None:
    run_id = track("r")
    response = await api("runs", run_id, "rerun", method="POST", body=payload, raise_error=False)
    assert response.code == 400
    assert words in body(response)["detail"]


def _rerunnable(root: Path, store_dir: Path) -> str:
    """A run of ``root/train.ipynb`` whose snapshot has a ``parameters`` cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("lr = 0.1\nepochs = 2")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("result = lr * epochs")]
    data = nbformat.writes(nb).encode()
    notebook = root / "train.ipynb"
    notebook.write_bytes(data)
    run = mlops.start_run(
        name="train",
        params={"lr": 0.1, "epochs": 2},
        store=str(store_dir),
        source="cell",
        notebook_path=str(notebook),
    )
    mlops.end_run()
    open_store(str(store_dir)).set_snapshot(run.id, data)
    return run.id


def _has_rerun() -> bool:
    import jupyter_mlops.runner as runner

    return hasattr(runner, "rerun")


@pytest.mark.skipif(not _has_rerun(), reason="jupyter_mlops.runner.rerun does not exist yet")
async def test_rerun_starts_a_new_run_with_edited_params(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    import asyncio

    source = _rerunnable(jp_root_dir, root_store)
    response = await api(
        "runs", source, "rerun", method="POST", body=json.dumps({"params": {"lr": 0.5}})
    )
    assert response.code == 202
    new_id = body(response)["run_id"]
    assert new_id != source
    store = open_store(str(root_store))
    run = store.get_run(new_id)
    assert run.params["lr"] == 0.5 and run.params["epochs"] == 2
    assert run.tags["rerun_of"] == source
    for _ in range(600):  # the notebook runs in another process: wait for it to end
        if store.get_run(new_id).status != "running":
            break
        await asyncio.sleep(0.2)
    assert store.get_run(new_id).status == "finished"
    listed = body(await api("runs"))["runs"]
    assert new_id in [r["id"] for r in listed]


@pytest.mark.skipif(not _has_rerun(), reason="jupyter_mlops.runner.rerun does not exist yet")
async def test_rerun_with_a_value_of_the_wrong_type_is_400(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    source = _rerunnable(jp_root_dir, root_store)
    response = await api(
        "runs",
        source,
        "rerun",
        method="POST",
        body=json.dumps({"params": {"lr": "fast"}}),
        raise_error=False,
    )
    assert response.code == 400
    assert "lr" in body(response)["detail"]
    assert len(body(await api("runs"))["runs"]) == 1
