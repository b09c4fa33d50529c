"""Many writers, killed writers and read-only stores: nothing logged is lost or damaged."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from tests.support.writer import WRITER


def test_eight_processes_logging_at_once_lose_nothing(store_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    mlops.get_store(store_dir)  # create the store first, as a notebook would
    procs = [
        subprocess.Popen([sys.executable, str(script), str(store_dir), str(i), "10000"],
                         stderr=subprocess.PIPE, text=True)
        for i in range(8)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    assert not any("locked" in e for e in errors), errors
    runs = mlops.get_store(store_dir).search_runs(experiment="load", limit=None)
    assert len(runs) == 8
    for run in runs:
        assert run.status == "finished"
        history = run.metric_history("value")
        assert len(history) == 10_000
        assert list(history.steps) == list(range(10_000))
        assert run.metrics["value"] == 9999 * 0.5


def test_fresh_store_opened_by_many_processes_at_once(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    store_dir = tmp_path / "fresh"
    procs = [subprocess.Popen([sys.executable, str(script), str(store_dir), str(i), "10"],
                              stderr=subprocess.PIPE, text=True) for i in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert len(mlops.get_store(store_dir).search_runs(experiment="load")) == 6


KILLED = textwrap.dedent(
    """
    import sys, time, jupyter_mlops as mlops
    from jupyter_mlops import tracking
    run = tracking.start_run(name="doomed", store=sys.argv[1], deferred=sys.argv[2] == "deferred")
    print(run.id, flush=True)
    step = 0
    while True:
        mlops.log_metric("t", time.time(), step=step)
        step += 1
        time.sleep(0.001)
    """
)


@pytest.mark.parametrize("start", ["at-once", "deferred"])  # deferred: how %%track starts a cell's run
def test_a_killed_process_keeps_what_it_logged_and_reads_as_crashed(store_dir: Path, tmp_path: Path,
                                                                    start: str) -> None:
    script = tmp_path / "killed.py"
    script.write_text(KILLED)
    proc = subprocess.Popen([sys.executable, str(script), str(store_dir), start], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    time.sleep(3)
    killed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    run = mlops.get_store(store_dir).get_run(run_id)
    assert run.status == "crashed"
    logged_times = list(run.metric_history("t").values)
    assert logged_times, "nothing was written before the kill"
    assert max(logged_times) > killed_at - 1.0, "more than the last second was lost"
    assert logged_times == sorted(logged_times)
    assert run.ended_at is not None
    assert [r.id for r in mlops.get_store(store_dir).search_runs("status = 'crashed'")] == [run_id]


def test_a_run_without_heartbeat_elsewhere_reads_as_crashed(store: object) -> None:
    from jupyter_mlops.store.sqlstore import Store

    assert isinstance(store, Store)
    store.create_run("0000000000zzzzz", name="remote", experiment="e", started_at=time.time() - 120)
    from sqlalchemy import update

    from jupyter_mlops.store import schema

    with store._write() as conn:
        conn.execute(update(schema.runs).values(host="another-host", heartbeat_at=time.time() - 60))
    assert store.get_run("0000000000zzzzz").status == "crashed"


def _read_only_command(folder: Path, command: list[str]) -> list[str]:
    """``command`` run with ``folder`` mounted read-only (root ignores file modes, so use a mount)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a folder read-only")
    quoted = " ".join(shlex.quote(part) for part in command)
    target = shlex.quote(str(folder))
    script = f"mount --bind {target} {target} && mount -o remount,bind,ro {target} {target} && exec {quoted}"
    flags = ["--mount"] if os.getuid() == 0 else ["--mount", "--map-root-user"]
    return ["unshare", *flags, "sh", "-c", script]


READ_ONLY = textwrap.dedent(
    """
    import sys, jupyter_mlops as mlops
    from jupyter_mlops.errors import StoreReadOnly
    store = mlops.get_store(sys.argv[1])
    print("RUNS", len(store.search_runs()))
    try:
        with mlops.start_run(store=store):
            pass
    except StoreReadOnly as exc:
        print("READONLY", exc)
    """
)


def test_a_read_only_store_is_a_clear_error_and_stays_intact(store_dir: Path, tmp_path: Path) -> None:
    with mlops.start_run(name="kept", store=store_dir) as run:
        mlops.log_metric("x", 1.0)
    mlops.get_store(store_dir).close()
    before = {p.name: p.read_bytes() for p in store_dir.iterdir() if p.is_file()}
    script = tmp_path / "write.py"
    script.write_text(READ_ONLY)
    command = _read_only_command(store_dir, [sys.executable, str(script), str(store_dir)])
    out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in out.stderr or "cannot" in out.stderr and "mount" in out.stderr:
        pytest.skip(f"cannot mount read-only here: {out.stderr.strip()}")
    assert "RUNS 1" in out.stdout, out.stdout + out.stderr  # still readable
    assert "READONLY" in out.stdout, out.stdout + out.stderr
    assert "cannot be written" in out.stdout and "writable" in out.stdout
    assert {p.name: p.read_bytes() for p in store_dir.iterdir() if p.is_file()} == before
    assert mlops.get_store(store_dir).get_run(run.id).metrics == {"x": 1.0}


@pytest.mark.parametrize(("ending", "status"), [("pass", "finished"), ("raise SystemExit(0)", "finished"),
                                                ("raise ValueError('bad data')", "failed")])
def test_runs_left_open_are_ended_at_interpreter_exit(store_dir: Path, tmp_path: Path, ending: str,
                                                      status: str) -> None:
    script = tmp_path / "open.py"
    script.write_text(textwrap.dedent(
        f"""
        import sys, jupyter_mlops as mlops
        run = mlops.start_run(name="left-open", store=sys.argv[1])
        for i in range(1000):
            mlops.log_metric("x", i)
        {ending}
        """
    ))
    subprocess.run([sys.executable, str(script), str(store_dir)], capture_output=True, timeout=60)
    [run] = mlops.get_store(store_dir).search_runs()
    assert run.status == status
    assert len(run.metric_history("x")) == 1000
    if status == "failed":
        assert run.error is not None and run.error["ename"] == "ValueError"
