"""Paging is one rule (``store.paging.page_runs``): the REST API and the widgets' run browser
show the same runs on every page, past the last page too (runs deleted meanwhile)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_mlops.store import open_store
from jupyter_mlops.widgets.model import Query, fetch_page
from tests.support.server import body, fails


async def test_both_faces_show_the_same_last_page_past_the_end(api: Any, track: Any, root_store: Path) -> None:
    ids = [track(f"run {i}", params={"i": i}) for i in range(7)]
    store = open_store(os.fspath(root_store))
    for page_size, page in ((3, 0), (3, 2), (3, 5), (5, 1), (5, 40)):
        query = Query(page_size=page_size, page=page)
        widgets = fetch_page(store, query)
        rest = body(await api("runs", params={"limit": str(page_size), "offset": str(query.offset)}))
        assert [r["id"] for r in rest["runs"]] == [r.id for r in widgets.runs], (page_size, page)
        assert rest["total"] == widgets.total == 7
        assert rest["offset"] == widgets.query.offset
    last = body(await api("runs", params={"limit": "3", "offset": "300"}))
    assert last["offset"] == 6 and [r["id"] for r in last["runs"]] == [ids[0]]  # the oldest run alone

    for run_id in ids[:4]:  # deleted while a face shows page 2 of 3 runs
        store.delete_run(run_id)
    widgets = fetch_page(store, Query(page_size=3, page=2))
    rest = body(await api("runs", params={"limit": "3", "offset": "6"}))
    assert widgets.query.page == 0 and rest["offset"] == 0
    assert [r["id"] for r in rest["runs"]] == [r.id for r in widgets.runs] == ids[4:][::-1]


async def test_a_page_comes_without_its_count_and_the_count_alone(api: Any, track: Any, root_store: Path) -> None:
    """``count=0``: the sidebar's first request, the page and whether runs follow it (an exact
    total only where free); ``count=only``: the total alone; anything else is a 400."""
    ids = [track(f"run {i}", params={"i": i}, metrics={"acc": [i / 10]}) for i in range(7)]
    for params, runs, total, more in (
        ({"limit": "3"}, ids[::-1][:3], None, True),
        ({"limit": "3", "offset": "3"}, ids[::-1][3:6], None, True),
        ({"limit": "3", "offset": "6"}, ids[:1], None, False),
        ({"limit": "3", "offset": "300"}, ids[:1], 7, False),  # past the end: counted, to find the last page
        ({"limit": "10"}, ids[::-1], 7, False),  # one page holds them all: the total is free
        ({"limit": "2", "filter": "params.i >= 2", "order_by": "metrics.acc"}, ids[2:4], None, True),
    ):
        page = body(await api("runs", params={**params, "count": "0"}))
        assert ([r["id"] for r in page["runs"]], page["total"], page["more"]) == (runs, total, more), params
        counted = body(await api("runs", params={**params, "count": "only"}))
        assert counted["runs"] == [] and counted["total"] == (5 if "filter" in params else 7)
        full = body(await api("runs", params=params))
        assert [r["id"] for r in full["runs"]] == runs and full["more"] == more
    code, reply = await fails(api, "runs", params={"count": "some"})
    assert (code, reply["error"], reply["parameter"]) == (400, "invalid_input", "count")
    assert "count must be one of 1, 0, only" in reply["detail"]
