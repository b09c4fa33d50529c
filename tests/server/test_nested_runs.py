"""``GET runs?nested=1`` and ``GET runs?parent=ID``: a sweep's children under their parent, as
the sidebar shows them; every run of a page says how many children it has."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlops.store import open_store
from jupyter_mlops.store.ids import new_run_id
from tests.support.server import body


def sweep(root_store: Path) -> dict[str, Any]:
    """A sweep parent with three children (one failed) and a lone run, all in one experiment."""
    store = open_store(os.fspath(root_store))
    parent = new_run_id()
    store.create_run(parent, name="sweep train", experiment="churn", params={"grid": "lr"})
    children = []
    for lr in (0.1, 0.2, 0.3):
        child = new_run_id()
        store.create_run(child, name="train", experiment="churn", parent_id=parent, params={"lr": lr})
        store.end_run(child, "failed" if lr == 0.3 else "finished")
        children.append(child)
    store.end_run(parent)
    lone = new_run_id()
    store.create_run(lone, name="lone", experiment="churn", params={"lr": 0.5})
    store.end_run(lone)
    return {"parent": parent, "children": children, "lone": lone}


async def test_the_nested_view_lists_top_level_runs_with_child_counts(
    api: Any, root_store: Path
) -> None:
    runs = sweep(root_store)
    flat = body(await api("runs", params={"experiment": "churn"}))
    assert flat["total"] == 5
    counts = {run["id"]: run["children"] for run in flat["runs"]}
    assert counts[runs["parent"]] == 3 and counts[runs["lone"]] == 0

    nested = body(await api("runs", params={"experiment": "churn", "nested": "1"}))
    assert [run["id"] for run in nested["runs"]] == [runs["lone"], runs["parent"]]
    assert nested["total"] == 2

    children = body(await api("runs", params={"parent": runs["parent"], "order_by": "params.lr"}))
    assert [run["id"] for run in children["runs"]] == runs["children"]
    assert all(run["parent_id"] == runs["parent"] for run in children["runs"])

    # a filter with its own `or` stays inside the parent's children
    failed = body(await api("runs", params={
        "parent": runs["parent"], "filter": "status = 'failed' or params.lr = 0.5"}))
    assert [run["id"] for run in failed["runs"]] == [runs["children"][2]]


@pytest.mark.parametrize("parent", ["x' or 1=1 --", "a" * 65, "../runs"])
async def test_a_parent_that_is_no_run_id_is_a_400(api: Any, root_store: Path, parent: str) -> None:
    sweep(root_store)
    with pytest.raises(HTTPClientError) as caught:
        await api("runs", params={"parent": parent})
    assert caught.value.code == 400
    reply = json.loads(caught.value.response.body)
    assert reply["error"] == "invalid_input" and "parent must be a run id" in reply["detail"]
