"""``GET runs/{id}/rerun``: what a re-run starts from, the same for the sidebar, the widgets and
the CLI; ``POST`` refuses parameter names that are not identifiers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from jupyter_mlops.store import open_store
from tests.support.server import body

NOTEBOOKS = Path(__file__).parent.parent / "runner" / "notebooks"
HOSTILE = "x = 1\nopen('owned','w').write('x')\ny"


def stale_run(root: Path, store_dir: Path) -> str:
    """A runner run of a notebook whose metadata.papermill.parameters is stale."""
    from jupyter_mlops.runner import run_notebook

    path = Path(shutil.copy(NOTEBOOKS / "stale_metadata.ipynb", root / "stale.ipynb"))
    run = run_notebook(path, store=os.fspath(store_dir))
    assert run.status == "finished", run.error
    return run.id


async def test_the_route_gives_the_runs_own_params_with_their_kinds(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    from jupyter_mlops.runner.reruns import rerun_start
    from jupyter_mlops.widgets.rerun import RerunForm, parse_param

    run_id = stale_run(jp_root_dir, root_store)
    reply = body(await api("runs", run_id, "rerun"))
    assert reply["rerunnable"] is True and reply["reason"] is None
    assert reply["name"] == "stale" and reply["run_id"] == run_id
    assert reply["params"] == [
        {"name": "foo", "value": 7, "kind": "int", "choices": None},
        {"name": "bar", "value": "edited", "kind": "str", "choices": None},
    ], "never the stale metadata's foo = 2, bar = world"

    store = open_store(os.fspath(root_store))
    assert rerun_start(store, run_id).values == {"foo": 7, "bar": "edited"}  # the CLI's start
    form = RerunForm(store)
    form.show(store.get_run(run_id))
    form.prepare()
    typed = {k: parse_param(k, t, form.values[k]) for k, t in form.texts().items()}
    assert typed == {p["name"]: p["value"] for p in reply["params"]}  # the widgets' form


async def test_runs_that_cannot_be_rerun_say_why(
    api: Any, track: Any, tmp_path: Path
) -> None:
    no_notebook = body(await api("runs", track("from the api"), "rerun"))
    assert no_notebook["rerunnable"] is False and no_notebook["error"] == "not_rerunnable"
    assert "not made from a notebook" in no_notebook["reason"] and no_notebook["params"] == []

    outside = tmp_path / "elsewhere" / "train.ipynb"
    outside.parent.mkdir()
    outside.write_text("{}")
    far = body(await api("runs", track("outside", notebook_path=str(outside)), "rerun"))
    assert far["rerunnable"] is False and far["error"] == "path_outside_root"
    assert "jupyter mlops rerun" in far["reason"]

    response = await api("runs", "nosuchrun0000", "rerun", raise_error=False)
    assert response.code == 404


async def test_a_param_name_that_is_not_an_identifier_is_400_and_runs_nothing(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    run_id = stale_run(jp_root_dir, root_store)
    for name in (HOSTILE, "class", "a b", "1x"):
        response = await api(
            "runs", run_id, "rerun", method="POST", body=json.dumps({"params": {name: 1}}),
            raise_error=False,
        )
        assert response.code == 400
        reply = body(response)
        assert reply["error"] == "invalid_input" and "not a parameter name" in reply["detail"]
    assert [r.id for r in open_store(os.fspath(root_store)).search_runs()] == [run_id]
    assert not (jp_root_dir / "owned").exists() and not Path("owned").exists()
