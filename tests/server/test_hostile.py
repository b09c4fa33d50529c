"""Every route, authenticated, fed hostile ids, bodies and query strings.

Whatever comes in, the answer is a 4xx with a JSON error body (never a 5xx, never a
traceback), and nothing stored changes unless the request was a valid change.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store
from jupyter_mlops.store import schema as s
from tests.support.server import body, notebook_bytes

MARKUP = "<img src=x onerror=alert(1)><script>alert(2)</script>"

ROUTES: list[tuple[str, str]] = [
    ("GET", "runs/{id}"),
    ("GET", "runs/{id}/metrics/loss"),
    ("GET", "runs/{id}/snapshot"),
    ("GET", "runs/{id}/artifacts"),
    ("GET", "runs/{id}/artifacts/model.txt"),
    ("PATCH", "runs/{id}"),
    ("DELETE", "runs/{id}"),
    ("POST", "runs/{id}/rerun"),
]


@pytest.fixture
def parent(root_store: Path, tmp_path: Path) -> str:
    """A finished run with a child, params, tags, a metric, a snapshot and an artifact."""
    artifact = tmp_path / "model.txt"
    artifact.write_text("weights")
    store = open_store(str(root_store))
    with mlops.start_run(name="parent", params={"lr": 0.1}, tags={"stage": "dev"}, store=store) as run:
        run.log_metric("loss", 0.5)
        run.log_artifact(artifact)
        run.stage(snapshot=notebook_bytes("x = 1"))
        with mlops.start_run(name="child", store=store):
            mlops.log_metric("loss", 0.25)
    with mlops.start_run(name="other", store=store):
        pass
    return run.id


def stored_state(root_store: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read straight from the database file."""
    db = sqlite3.connect(root_store / "mlops.db")
    try:
        return {table.name: sorted(db.execute(f"SELECT * FROM {table.name}").fetchall(), key=repr)
                for table in s.metadata.sorted_tables}
    finally:
        db.close()


async def refused(api: Any, method: str, *parts: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    if method in ("PATCH", "POST") and "body" not in kwargs:
        kwargs["body"] = "{}"
    response = await api(*parts, method=method, raise_error=False, **kwargs)
    assert 400 <= response.code < 500, (method, parts, response.code, response.body[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    reply = body(response)
    assert isinstance(reply["error"], str) and isinstance(reply["detail"], str)
    assert "Traceback" not in reply["detail"]
    return response.code, reply


def hostile_ids(run_id: str) -> list[str]:
    return [
        run_id[:-1],  # a prefix of a real run: whole ids only
        run_id[:4],
        run_id + "x",
        run_id.upper(),
        "%",
        "_" * len(run_id),
        f"{run_id[:6]}%",
        "' OR '1'='1",
        "1; DROP TABLE runs; --",
        MARKUP,
        "\u202e" + run_id,
        "..",
        "a" * 5000,
        "%00",
        "1e999",
        "-1",
    ]


@pytest.mark.parametrize(("method", "route"), ROUTES)
async def test_hostile_run_ids_are_a_json_4xx_and_change_nothing(
    api: Any, root_store: Path, parent: str, method: str, route: str
) -> None:
    before = stored_state(root_store)
    for run_id in hostile_ids(parent):
        code, reply = await refused(api, method, *route.format(id=run_id).split("/"))
        assert code in (400, 404), (run_id, code, reply)
    assert stored_state(root_store) == before


DEEP = "[" * 100_000 + "]" * 100_000

BAD_PATCHES: list[tuple[str, int]] = [
    (DEEP, 400),
    ('{"note": ' + "[" * 50_000 + "]" * 50_000 + "}", 400),
    ("1" * 5000, 400),  # more digits than Python converts
    ('{"note": ' + "9" * 5000 + "}", 400),
    ('{"note": 1e999}', 400),
    ('{"name": 123}', 400),
    ('{"name": ""}', 400),
    ('{"name": "' + "n" * 251 + '"}', 400),
    ('{"name": null}', 400),
    ('{"note": {"a": 1}}', 400),
    ('{"note": "' + "x" * 100_001 + '"}', 400),
    ('{"tags": ["a"]}', 400),
    ('{"tags": {"a": 1}}', 400),
    ('{"tags": {"a": null}}', 400),
    ('{"tags": {"": "v"}}', 400),
    ('{"tags": {"' + "k" * 251 + '": "v"}}', 400),
    ('{"tags": {"k": "' + "v" * 5001 + '"}}', 400),
    (json.dumps({"tags": {f"k{i}": "v" for i in range(1001)}}), 400),
    ('{"status": "finished"}', 400),
    ('{"id": "other"}', 400),
    ("[]", 400),
    ('"text"', 400),
    ("null", 400),
    ("not json", 400),
    ('{"note": "\\ud800"}', 400),  # a lone surrogate: no valid text
    ("{" + '"a": 1, ' * 10 + '"note": "x"', 400),
    ("x" * (2 << 20), 413),
]


async def test_hostile_patch_bodies_are_refused_and_change_nothing(
    api: Any, root_store: Path, parent: str
) -> None:
    before = stored_state(root_store)
    for text, status in BAD_PATCHES:
        code, reply = await refused(api, "PATCH", "runs", parent, body=text)
        assert code == status, (text[:80], code, reply)
        assert len(reply["detail"]) < 2000  # the body is not echoed back whole
    assert stored_state(root_store) == before


async def test_the_limits_themselves_are_accepted(api: Any, root_store: Path, parent: str) -> None:
    changes = {"name": "n" * 250, "note": "x" * 100_000,
               "tags": {"k" * 250: "v" * 5000, **{f"k{i}": "v" for i in range(999)}}}
    response = await api("runs", parent, method="PATCH", body=json.dumps(changes))
    run = body(response)
    assert run["name"] == changes["name"] and run["note"] == changes["note"] and run["tags"] == changes["tags"]


async def test_hostile_rerun_bodies_are_refused_and_change_nothing(
    api: Any, root_store: Path, parent: str
) -> None:
    before = stored_state(root_store)
    for text in [DEEP, "1" * 5000, '{"params": []}', '{"params": "lr=1"}', '{"params": 1e999}',
                 '{"code": "import os"}', "[]", "not json", "x" * (2 << 20),
                 '{"params": {"lr": ' + "[" * 50_000 + "]" * 50_000 + "}}"]:
        await refused(api, "POST", "runs", parent, "rerun", body=text)
    assert stored_state(root_store) == before


async def test_markup_is_stored_and_sent_back_as_text(api: Any, root_store: Path, parent: str) -> None:
    changes = {"name": MARKUP, "note": MARKUP, "tags": {MARKUP: MARKUP}}
    await api("runs", parent, method="PATCH", body=json.dumps(changes))
    for reply in (body(await api("runs", parent)), body(await api("runs"))["runs"][-1]):
        assert reply["name"] == MARKUP and reply["note"] == MARKUP and reply["tags"] == {MARKUP: MARKUP}
    response = await api("runs", parent)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


QUERIES: list[tuple[str, dict[str, str]]] = [
    ("runs", {"limit": "1e999"}),
    ("runs", {"limit": "-1"}),
    ("runs", {"limit": "9" * 400}),
    ("runs", {"offset": "9" * 5000}),
    ("runs", {"offset": "-5"}),
    ("runs", {"limit": MARKUP}),
    ("runs", {"filter": MARKUP}),
    ("runs", {"filter": "params.lr = "}),
    ("runs", {"order_by": "'; DROP TABLE runs"}),
    ("runs/{id}/metrics/loss", {"max_points": "9" * 400}),
    ("runs/{id}/metrics/loss", {"max_points": "1"}),
    ("runs/{id}/metrics/nosuchmetric", {}),
    ("runs/{id}/artifacts/nosuch.txt", {}),
    ("runs/{id}/artifacts/..%2F..%2Fmlops.db", {}),
    ("compare", {"ids": ""}),
    ("compare", {"ids": "{id}"}),
    ("compare", {"ids": "{id},{id}"}),
    ("compare", {"ids": "{id},{prefix}"}),
    ("compare", {"ids": ",".join(["{id}"] + [f"x{i}" for i in range(1000)])}),
    ("compare", {"ids": "{id}," + MARKUP}),
    ("nosuchroute", {}),
    ("runs", {"path": "../../.."}),
    ("runs", {"path": "/etc"}),
    ("runs", {"path": "a\x00b"}),
]


@pytest.mark.parametrize(("route", "params"), QUERIES)
async def test_hostile_query_strings_are_a_json_4xx(
    api: Any, root_store: Path, parent: str, route: str, params: dict[str, str]
) -> None:
    before = stored_state(root_store)
    filled = {k: v.replace("{id}", parent).replace("{prefix}", parent[:6]) for k, v in params.items()}
    await refused(api, "GET", *route.replace("{id}", parent).split("/"), params=filled)
    assert stored_state(root_store) == before


async def test_delete_takes_a_whole_id_and_says_how_many_children_went(
    api: Any, root_store: Path, parent: str
) -> None:
    code, reply = await refused(api, "DELETE", "runs", parent[:-2])
    assert (code, reply["error"]) == (404, "run_not_found")
    assert {r.name for r in open_store(str(root_store)).search_runs()} == {"parent", "child", "other"}
    reply = body(await api("runs", parent, method="DELETE"))
    assert reply == {"deleted": parent, "children": 1}
    assert [r.name for r in open_store(str(root_store)).search_runs()] == ["other"]


async def test_a_running_child_keeps_its_parent_from_being_deleted(api: Any, root_store: Path) -> None:
    store = open_store(str(root_store))
    parent = mlops.start_run(name="sweep", store=store)
    child = mlops.start_run(name="point", store=store)
    try:
        parent_id = parent.id
        code, reply = await refused(api, "DELETE", "runs", parent_id)
        assert (code, reply["error"]) == (409, "run_running")
        assert child.id in reply["detail"]
    finally:
        child.end()
        parent.end()
    assert body(await api("runs", parent_id, method="DELETE"))["children"] == 1


async def test_a_long_param_comes_as_a_preview_in_lists_and_whole_in_the_detail(
    api: Any, root_store: Path
) -> None:
    huge = "x" * 10_000_000
    with mlops.start_run(name="big", params={"blob": huge, "short": "s", "data": list(range(500))},
                         tags={"long": "t" * 4000}, store=str(root_store)) as run:
        pass
    open_store(str(root_store)).update_run(run.id, note="n" * 5000)
    response = await api("runs")
    assert len(response.body) < 50_000
    listed = body(response)["runs"][0]
    assert listed["params"]["blob"] == {"preview": "x" * 1000, "truncated": True, "length": 10_000_000}
    assert listed["params"]["short"] == "s"
    data_text = json.dumps(list(range(500)))
    assert listed["params"]["data"] == {"preview": data_text[:1000], "truncated": True, "length": len(data_text)}
    assert listed["tags"]["long"] == {"preview": "t" * 1000, "truncated": True, "length": 4000}
    assert listed["note"] == {"preview": "n" * 1000, "truncated": True, "length": 5000}
    detail = body(await api("runs", run.id))
    assert detail["params"]["blob"] == huge and detail["params"]["data"] == list(range(500))
    assert detail["note"] == "n" * 5000 and detail["tags"]["long"] == "t" * 4000
