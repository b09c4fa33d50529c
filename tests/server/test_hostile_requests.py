"""Hostile filters, orders and ``path=`` values against the REST API: a 400/403/404 that says
what was wrong, one line in the server's log, never a 5xx or a traceback."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store.filter_limits import MAX_COMPARISONS, MAX_DEPTH, MAX_ORDER_KEYS
from tests.support.server import body

HOSTILE_FILTERS = {
    "10,000 parentheses": ("(" * 10_000 + "name = 'a'" + ")" * 10_000, MAX_DEPTH, "deep"),
    "1,000 nots": ("not " * 1000 + "name = 'a'", 4 * MAX_DEPTH, "deep"),
    "a 400-digit number": ("params.lr = " + "9" * 400, 12, "whole number out of range"),
    "1,000 or terms": (" or ".join(["params.lr = 1"] * 1000), 17 * MAX_COMPARISONS, "comparisons"),
    "a float past the largest": ("metrics.acc < 1e999", 14, "number out of range"),
}


async def fails(api: Any, *parts: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = await api(*parts, raise_error=False, **kwargs)
    return response.code, body(response)


@pytest.mark.parametrize("case", list(HOSTILE_FILTERS))
async def test_a_hostile_filter_is_a_400_naming_the_limit_and_position(
    api: Any, track: Any, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    track("a", params={"lr": 1})
    text, position, limit = HOSTILE_FILTERS[case]
    with caplog.at_level(logging.DEBUG):
        code, reply = await fails(api, "runs", params={"filter": text})
    assert code == 400, reply
    assert (reply["error"], reply["parameter"], reply["position"]) == ("invalid_filter", "filter", position)
    assert limit in reply["detail"] and "\n" not in reply["detail"]
    assert "Traceback" not in caplog.text
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged and all("\n" not in line for line in logged)  # one line each, no traceback


async def test_too_many_order_keys_is_a_400(api: Any, track: Any) -> None:
    track("a")
    for count in (MAX_ORDER_KEYS + 1, 64, 600):
        order = ", ".join(f"params.p{i}" for i in range(count))
        code, reply = await fails(api, "runs", params={"order_by": order})
        assert (code, reply["error"], reply["parameter"]) == (400, "invalid_filter", "order_by")
        assert f"more than {MAX_ORDER_KEYS} order keys" in reply["detail"]
    order = ", ".join(f"params.p{i}" for i in range(MAX_ORDER_KEYS))
    page = body(await api("runs", params={"order_by": order}))
    assert [run["name"] for run in page["runs"]] == ["a"]


async def test_the_widest_filter_within_the_limits_is_served(api: Any, track: Any) -> None:
    track("a", params={"lr": 1})
    track("b", params={"lr": 2})
    text = " and ".join(["params.lr > 0"] * (MAX_COMPARISONS - 1) + ["params.lr < 2"])
    text = "(" * (MAX_DEPTH - 1) + text + ")" * (MAX_DEPTH - 1)
    page = body(await api("runs", params={"filter": text}))
    assert [run["name"] for run in page["runs"]] == ["a"] and page["total"] == 1


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("a" * 5000, 400, "invalid_input"),  # ENAMETOOLONG
        ("/".join(["a" * 200] * 30), 400, "invalid_input"),  # a path longer than PATH_MAX
        ("sub/" + "x" * 300 + "/y", 400, "invalid_input"),
        ("sub\x00/etc", 404, "path_not_found"),  # tornado reads control characters as spaces
        ("loop", 400, "invalid_input"),  # a symlink loop
        ("../" * 2000 + "etc", 403, "path_outside_root"),
        ("sub/" + "../" * 50, 403, "path_outside_root"),
        ("outside", 403, "path_outside_root"),  # a symlink out of the root
        ("dangling", 403, "path_outside_root"),
        ("sub/missing/" + "deeper/" * 100, 404, "path_not_found"),
        ("\N{GRINNING FACE}" * 70, 400, "invalid_input"),  # 280 bytes: too long a name
    ],
)
async def test_hostile_paths_are_refused_with_a_4xx_naming_the_parameter(
    api: Any, jp_root_dir: Path, tmp_path: Path, path: str, status: int, error: str
) -> None:
    (jp_root_dir / "sub").mkdir(exist_ok=True)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    (jp_root_dir / "outside").symlink_to(tmp_path, target_is_directory=True)
    (jp_root_dir / "dangling").symlink_to(tmp_path / "nothing-here")
    for route in ("runs", "info", "experiments"):
        code, reply = await fails(api, route, params={"path": path})
        assert (code, reply["error"], reply.get("parameter")) == (status, error, "path"), reply
        assert len(reply["detail"]) < 1000  # the path is cut short in the message
        if status == 400:
            assert "path=" in reply["detail"]


async def test_a_long_but_valid_path_is_served(api: Any, jp_root_dir: Path, track: Any) -> None:
    track("root run")
    deep = jp_root_dir.joinpath(*(["d" * 100] * 20))
    deep.mkdir(parents=True)
    relative = os.path.relpath(deep, jp_root_dir)
    page = body(await api("runs", params={"path": relative}))
    assert [run["name"] for run in page["runs"]] == ["root run"]


async def test_artifacts_of_any_size_download_whole(api: Any, track: Any, root_store: Path) -> None:
    from jupyter_mlops.store import open_store

    run_id = track("with artifacts")
    store = open_store(str(root_store))
    data = os.urandom(700_000) * 3  # several pieces, the last one short
    store.log_artifact_bytes(run_id, "empty.csv", b"")
    store.log_artifact_bytes(run_id, "weights.bin", data)
    empty = await api("runs", run_id, "artifacts", "empty.csv")
    assert (empty.body, empty.headers["Content-Type"], empty.headers["Content-Length"]) == (b"", "text/csv", "0")
    whole = await api("runs", run_id, "artifacts", "weights.bin")
    assert whole.body == data and whole.headers["Content-Length"] == str(len(data))
    assert whole.headers["Content-Type"] == "application/octet-stream"
    assert whole.headers["Content-Disposition"] == "attachment; filename*=UTF-8''weights.bin"


async def test_a_missing_blob_is_a_503_before_anything_is_sent(api: Any, track: Any, root_store: Path) -> None:
    from jupyter_mlops.store import open_store

    run_id = track("lost blob")
    artifact = open_store(str(root_store)).log_artifact_bytes(run_id, "gone.bin", b"soon gone")
    (root_store / "blobs" / artifact.digest[:2] / artifact.digest[2:]).unlink()
    code, reply = await fails(api, "runs", run_id, "artifacts", "gone.bin")
    assert (code, reply["error"]) == (503, "store_unavailable") and "missing" in reply["detail"]
