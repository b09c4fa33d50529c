"""``POST runs/{id}/reproduce`` starts a reproduction in the background and answers at once;
``GET runs/{id}/reproduce`` shows it running, then its verdict, as the sidebar's button does."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from jupyter_mlops.store import open_store
from tests.support.runner import write_notebook
from tests.support.server import body

UNSEEDED = (
    "import random\nimport jupyter_mlops as mlops\n"
    "for step in range(3):\n    mlops.log_metric('loss', random.random(), step=step)\n"
    "mlops.log_metric('acc', 0.5)"
)


async def verdict_of(api: Any, run_id: str) -> dict[str, Any]:
    for _ in range(600):  # at most about a minute
        reply = body(await api("runs", run_id, "reproduce"))
        if reply["verdict"] != "running":
            return reply
        await asyncio.sleep(0.1)
    raise AssertionError("the reproduction did not end within a minute")


async def test_a_reproduction_runs_in_the_background_then_gives_its_verdict(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    from jupyter_mlops.runner import run_notebook

    path = write_notebook(jp_root_dir / "unseeded.ipynb", "epochs = 3", UNSEEDED)
    run = run_notebook(path, store=os.fspath(root_store))
    assert body(await api("runs", run.id, "reproduce")) == {"run_id": run.id, "verdict": None}

    started = await api("runs", run.id, "reproduce", method="POST", body=json.dumps({"tolerance": "1%"}))
    assert started.code == 202
    reply = body(started)
    assert reply["verdict"] == "running" and reply["tolerance"] == 0.01
    child = reply["reproduction_id"]

    again = await api("runs", run.id, "reproduce", method="POST", body="{}", raise_error=False)
    assert again.code == 409 and "being reproduced already" in body(again)["detail"]

    verdict = await verdict_of(api, run.id)
    assert verdict["reproduction_id"] == child and verdict["verdict"] == "differs"
    assert [d["key"] for d in verdict["differences"]] == ["loss"]
    store = open_store(os.fspath(root_store))
    assert store.get_run(run.id).tags["mlops.reproduced"] == "no"
    assert store.get_run(child).tags["reproduces"] == run.id
    detail = body(await api("runs", run.id))
    assert detail["tags"]["mlops.reproduced"] == "no"


async def test_bad_requests_say_why_and_store_nothing(api: Any, track: Any, root_store: Path) -> None:
    run_id = track("from the api")
    store = open_store(os.fspath(root_store))
    before = store.count_runs()
    for payload, code, error in [
        ({"tolerance": -1}, 400, "invalid_input"),
        ({"tolerance": "<img src=x>"}, 400, "invalid_input"),
        ({"tolerance": [1]}, 400, "invalid_input"),
        ({"tolerance": 1e400}, 400, "invalid_input"),
        ({"tolerance": 0.1, "extra": 1}, 400, "invalid_input"),
        ([[[[[[]]]]]], 400, "invalid_input"),
        ({}, 400, "not_rerunnable"),  # a run of the API: no notebook to execute
    ]:
        response = await api("runs", run_id, "reproduce", method="POST", body=json.dumps(payload),
                             raise_error=False)
        assert (response.code, body(response)["error"]) == (code, error), payload
    missing = await api("runs", "nosuchrun00000", "reproduce", method="POST", body="{}", raise_error=False)
    assert missing.code == 404
    assert store.count_runs() == before and "mlops.reproduced" not in store.get_run(run_id).tags


async def test_the_route_is_authenticated(jp_fetch: Any, track: Any) -> None:
    run_id = track("secret")
    response = await jp_fetch("mlops", "api", "runs", run_id, "reproduce", method="POST", body="{}",
                              headers={"Authorization": ""}, raise_error=False)
    assert response.code in (401, 403)
