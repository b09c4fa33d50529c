"""One heartbeat for every run a process keeps alive: its own tracked runs and the runner's
(whose notebook may never call ``mlops``), beaten by the tracking writer's one thread."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, update

import jupyter_mlops as mlops
from jupyter_mlops.store import schema
from jupyter_mlops.store.sqlstore import Store
from jupyter_mlops.tracking import beating
from tests.support.runner import wait_until


def _last_beaten_a_minute_ago_elsewhere(store: Store, run_id: str) -> float:
    """Make ``run_id`` look like a run of another machine whose last beat is a minute old (a
    reader would mark it crashed); returns that time."""
    stale = time.time() - 60
    with store._write() as conn:
        conn.execute(update(schema.runs).where(schema.runs.c.id == run_id)
                     .values(host="another-host", heartbeat_at=stale))
    return stale


def _beaten_since(store: Store, run_id: str, since: float) -> bool:
    with store._read() as conn:
        beat = conn.execute(select(schema.runs.c.heartbeat_at).where(schema.runs.c.id == run_id)).scalar_one()
    return beat is not None and beat > since + 30


def test_a_run_the_runner_keeps_alive_reads_running_on_other_machines(store: Store) -> None:
    store.create_run("0000000000beat1", name="runner's", experiment="e", started_at=time.time() - 120)
    with beating(store, "0000000000beat1"):
        stale = _last_beaten_a_minute_ago_elsewhere(store, "0000000000beat1")
        assert wait_until(lambda: _beaten_since(store, "0000000000beat1", stale), timeout=30)
        assert store.get_run("0000000000beat1").status == "running"
    assert wait_until(lambda: not _writer_threads(), timeout=30)  # nothing left to beat: the thread ends


def test_tracked_runs_and_runner_runs_share_one_thread(store: Store) -> None:
    store.create_run("0000000000beat2", name="runner's", experiment="e")
    with mlops.start_run(name="tracked", store=store) as run, beating(store, "0000000000beat2"):
        mlops.log_metric("loss", 0.5)
        stale = min(_last_beaten_a_minute_ago_elsewhere(store, run.id),
                    _last_beaten_a_minute_ago_elsewhere(store, "0000000000beat2"))
        assert wait_until(lambda: _beaten_since(store, run.id, stale)
                          and _beaten_since(store, "0000000000beat2", stale), timeout=30)
        assert store.get_run(run.id).status == "running" and store.get_run("0000000000beat2").status == "running"
        names = [t.name for t in threading.enumerate() if t.name.startswith("jupyter-mlops")]
        assert names.count("jupyter-mlops-writer") == 1 and "jupyter-mlops-heartbeat" not in names
    assert store.get_run(run.id).metrics == {"loss": 0.5}


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "jupyter-mlops-writer"]
