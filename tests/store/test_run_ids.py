"""Whole ids for everything that changes a run; prefixes only where a face reads."""

from __future__ import annotations

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import AmbiguousRunId, RunNotFound, RunStillRunning
from jupyter_mlops.store import open_store
from jupyter_mlops.store.ids import new_run_id


def _run(store_location: str, run_id: str, **kwargs: object) -> str:
    store = open_store(store_location)
    store.create_run(run_id, name=run_id, experiment="e", **kwargs)  # type: ignore[arg-type]
    store.end_run(run_id)
    return run_id


def test_get_run_takes_whole_ids_only(store_location: str) -> None:
    run_id = _run(store_location, new_run_id())
    store = open_store(store_location)
    assert store.get_run(run_id).id == run_id
    for part in (run_id[:-1], run_id[:4], run_id[:10]):
        with pytest.raises(RunNotFound):
            store.get_run(part)


def test_find_run_resolves_a_unique_prefix(store_location: str) -> None:
    a = _run(store_location, "1m8sfjma51k6se")
    _run(store_location, "1m8zzzzzzzzzzz")
    store = open_store(store_location)
    assert store.find_run("1m8sf").id == a
    assert store.find_run(a).id == a
    with pytest.raises(RunNotFound):
        store.find_run("1m8")  # too short to be taken as a prefix
    with pytest.raises(RunNotFound):
        store.find_run("1m8q")
    with pytest.raises(RunNotFound):
        store.find_run("1m8_%")  # LIKE's wildcards are literal characters


def test_an_ambiguous_prefix_lists_some_matches(store_location: str) -> None:
    ids = [_run(store_location, f"1m8sfjma5{n:05d}") for n in range(7)]
    store = open_store(store_location)
    with pytest.raises(AmbiguousRunId) as caught:
        store.find_run("1m8sfjma5")
    message = str(caught.value)
    assert "ambiguous: matches 7 runs" in message
    assert ids[0] in message and ids[4] in message and "2 more" in message


def test_delete_refuses_a_running_run_and_reports_children(store_location: str) -> None:
    store = open_store(store_location)
    parent = mlops.start_run(name="sweep", store=store)
    child_a = mlops.start_run(name="a", parent=parent, store=store)
    grandchild = mlops.start_run(name="g", store=store)  # the active child is its parent
    grandchild.end()
    child_a.end()
    with pytest.raises(RunStillRunning, match="still running"):
        store.delete_run(parent.id, refuse_running=True)
    assert {r.name for r in store.search_runs()} == {"sweep", "a", "g"}
    parent.end()
    child_b = mlops.start_run(name="b", parent=parent, store=store)
    with pytest.raises(RunStillRunning, match=child_b.id):
        store.delete_run(parent.id, refuse_running=True)  # a running child keeps its parent
    child_b.end()
    assert store.delete_run(parent.id, refuse_running=True) == 3
    assert store.search_runs() == []
