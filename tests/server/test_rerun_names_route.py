"""``GET runs/{id}/rerun?params=`` suggests the re-run's name from the changed values and
offers a text param's short list of values; ``POST`` names the new run from its changes
unless given a name, and tags it ``rerun_of``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlops.store import open_store
from tests.server.test_rerun_route import stale_run
from tests.support.runner import wait_until
from tests.support.server import body


async def test_the_suggested_name_and_the_new_runs_name_come_from_the_changes(
    api: Any, jp_root_dir: Path, root_store: Path
) -> None:
    run_id = stale_run(jp_root_dir, root_store)  # foo = 7, bar = "edited"
    store = open_store(os.fspath(root_store))
    for bar in ("other", "third"):  # the experiment's runs give bar a short list of values
        store.create_run(f"x{bar}", name="old", experiment=store.get_run(run_id).experiment,
                         params={"bar": bar})
    start = body(await api("runs", run_id, "rerun"))
    assert start["suggested_name"] == "stale"
    params = {p["name"]: p for p in start["params"]}
    assert params["bar"]["choices"] == ["edited", "other", "third"]
    assert params["foo"]["choices"] is None

    asked = body(await api("runs", run_id, "rerun", params={"params": json.dumps({"foo": 8})}))
    assert asked["suggested_name"] == "stale foo=8"
    same = body(await api("runs", run_id, "rerun", params={"params": json.dumps({"foo": 7})}))
    assert same["suggested_name"] == "stale"

    reply = body(await api("runs", run_id, "rerun", method="POST",
                           body=json.dumps({"params": {"foo": 8, "bar": "other"}})))
    named = store.get_run(reply["run_id"])
    assert named.name == "stale foo=8 bar=other" and named.tags["rerun_of"] == run_id
    reply = body(await api("runs", run_id, "rerun", method="POST",
                           body=json.dumps({"params": {"foo": 9}, "name": "  my try  "})))
    assert store.get_run(reply["run_id"]).name == "my try"
    for new in (named.id, reply["run_id"]):
        assert wait_until(lambda new=new: store.get_run(new).status != "running", timeout=90)


@pytest.mark.parametrize(
    ("query", "body_", "says"),
    [
        ({"params": "{not json"}, None, "params must be a JSON object"),
        ({"params": "[1, 2]"}, None, "params must be an object"),
        ({}, {"params": {}, "name": 5}, "name must be a string"),
        ({}, {"params": {}, "name": "x" * 300}, "the limit is 250"),
    ],
)
async def test_bad_changes_or_names_are_a_400_and_run_nothing(
    api: Any, track: Any, root_store: Path, query: dict[str, str], body_: Any, says: str
) -> None:
    run_id = track("any run")
    kwargs: dict[str, Any] = {"params": query} if body_ is None else {
        "method": "POST", "body": json.dumps(body_)}
    with pytest.raises(HTTPClientError) as caught:
        await api("runs", run_id, "rerun", **kwargs)
    assert caught.value.code == 400
    assert says in json.loads(caught.value.response.body)["detail"]
    assert [r.id for r in open_store(os.fspath(root_store)).search_runs()] == [run_id]
