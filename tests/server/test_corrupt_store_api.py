"""A damaged store behind the REST API: a JSON 503 naming the file, and the file untouched."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import forget_stores
from tests.support.server import body


def _overwrite_runs_root(database: Path) -> None:
    db = sqlite3.connect(database)
    (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    with open(database, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(random.Random(7).randbytes(size))


DAMAGE = {
    "garbage header": lambda db: db.write_bytes(random.Random(3).randbytes(100) + db.read_bytes()[100:]),
    "truncated": lambda db: db.write_bytes(db.read_bytes()[: db.stat().st_size // 3]),
    "page overwritten": _overwrite_runs_root,
}


@pytest.mark.parametrize("kind", list(DAMAGE))
async def test_every_route_answers_a_damaged_store_with_json_and_writes_nothing(
    api: Any, track: Any, root_store: Path, kind: str
) -> None:
    run_id = track("kept", params={"lr": 0.1}, metrics={"loss": [1.0, 0.5]})
    forget_stores()  # the WAL is folded into mlops.db; the server opens the store again
    database = root_store / "mlops.db"
    DAMAGE[kind](database)
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    for method, parts, payload in [
        ("GET", ("runs",), None),
        ("GET", ("experiments",), None),
        ("GET", ("runs", run_id), None),
        ("GET", ("runs", run_id, "metrics", "loss"), None),
        ("GET", ("runs", run_id, "snapshot"), None),
        ("PATCH", ("runs", run_id), '{"note": "x"}'),
        ("DELETE", ("runs", run_id), None),
        ("GET", ("compare",), None),
    ]:
        params = {"ids": f"{run_id},other"} if parts == ("compare",) else None
        response = await api(*parts, method=method, body=payload, params=params, raise_error=False)
        if response.code == 200 and method == "GET" and parts != ("runs",):
            continue  # a read that never touched the damaged page; writes and lists always see it
        assert response.code == 503, (parts, response.code, response.body[:300])
        reply = body(response)
        assert reply["error"] == "store_unavailable" and reply["corrupt"] is True
        assert reply["file"] == str(database) and "not a readable jupyter-mlops store" in reply["detail"]
        assert hashlib.sha256(database.read_bytes()).hexdigest() == before
