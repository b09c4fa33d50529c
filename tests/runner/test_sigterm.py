"""SIGTERM (a cancelled CI job, ``timeout``) stops a run the way Ctrl-C does: the partial notebook
is kept as the snapshot, the error names the running cell, the run ends ``interrupted`` at its
real end time, and the command exits 143."""

from __future__ import annotations

import os
import signal
import time

import nbformat

from jupyter_mlops.store import open_store
from tests.support.runner import (
    SLEEPING_CELL,
    kernels_of,
    signal_cli,
    sleeping_runs,
    start_cli,
    wait_until,
    write_notebook,
)


def test_sigterm_ends_a_run_interrupted_with_its_snapshot_and_cell(store, tmp_path):
    path = write_notebook(
        tmp_path / "ci.ipynb", "seconds = 120", "print('started', flush=True)", SLEEPING_CELL, "print('never')"
    )
    output = tmp_path / "out.ipynb"
    process = start_cli("run", os.fspath(path), "--output", os.fspath(output), "--store", store.location)
    reader = open_store(store.location)
    assert wait_until(sleeping_runs(reader, 1), timeout=90)
    time.sleep(1.5)  # the run has lasted a while: its duration must show it
    out, err = signal_cli(process, signal.SIGTERM)
    assert process.returncode == 143, err
    run = reader.search_runs()[0]
    assert run.status == "interrupted" and run.error["reason"] == "interrupted"
    assert run.error["evalue"] == "interrupted by SIGTERM"
    assert (run.error["cell"], run.error["source_line"]) == (3, SLEEPING_CELL.splitlines()[0])
    assert run.duration is not None and run.duration > 1.0
    cells = {cell.source: cell for cell in run.snapshot().cells}
    assert cells["print('started', flush=True)"].outputs[0]["text"] == "started\n"
    assert cells["print('never')"].outputs == []
    assert cells["print('never')"].metadata.papermill["status"] == "pending"  # never run, not "completed"
    written = nbformat.read(os.fspath(output), as_version=4)
    assert [c.source for c in written.cells if c.metadata.get("papermill", {}).get("status") == "pending"] == [
        "print('never')"
    ]
    assert f"run {run.id} interrupted" in out
    assert kernels_of(store.location) == []


def test_sigterm_stops_a_sweep_and_its_workers(store, tmp_path):
    path = write_notebook(tmp_path / "grid.ipynb", "seconds = 120", SLEEPING_CELL)
    process = start_cli(
        "sweep", os.fspath(path), "--grid", "seconds=120,121", "--workers", "2", "--store", store.location
    )
    reader = open_store(store.location)
    assert wait_until(sleeping_runs(reader, 2), timeout=120)
    out, err = signal_cli(process, signal.SIGTERM)
    assert process.returncode == 143, err
    parent = next(r for r in reader.search_runs() if r.parent_id is None)
    children = [r for r in reader.search_runs() if r.parent_id == parent.id]
    assert parent.status == "interrupted" and parent.error["evalue"] == "interrupted (SIGTERM)"
    assert len(children) == 2
    assert all(c.status == "interrupted" and c.error["cell"] == 2 for c in children)
    assert all(c.snapshot() is not None for c in children)
    assert kernels_of(store.location) == []


def test_a_killed_runner_crashes_at_its_last_heartbeat(store, tmp_path):
    """SIGKILL leaves no chance to record anything: the run reads crashed, ended when it died."""
    path = write_notebook(tmp_path / "oom.ipynb", "seconds = 120", SLEEPING_CELL)
    process = start_cli("run", os.fspath(path), "--store", store.location)
    reader = open_store(store.location)
    try:
        assert wait_until(sleeping_runs(reader, 1), timeout=90)
        time.sleep(5)  # more than two heartbeats
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in kernels_of(store.location):  # a kernel of its own session outlives the runner
            os.kill(pid, signal.SIGKILL)
    run = reader.get_run(reader.search_runs()[0].id)
    assert run.status == "crashed"
    assert run.duration is not None and run.duration >= 3.0  # not 0 ms


def test_sigterm_to_a_background_rerun_ends_it_interrupted(store, tmp_path):
    from jupyter_mlops.runner import rerun, run_notebook

    path = write_notebook(tmp_path / "bg.ipynb", "seconds = 0", SLEEPING_CELL)
    original = run_notebook(path, store=store.location)
    assert original.status == "finished"
    new_id = rerun(original.id, {"seconds": 120}, store=store.location, background=True)
    reader = open_store(store.location)
    assert wait_until(sleeping_runs(reader, 1), timeout=90)
    pid = reader.get_run(new_id).pid
    os.kill(pid, signal.SIGTERM)
    assert wait_until(lambda: reader.get_run(new_id).status != "running", timeout=60)
    run = reader.get_run(new_id)
    assert run.status == "interrupted" and run.error["evalue"] == "interrupted by SIGTERM"
    assert run.error["cell"] == 2 and run.snapshot() is not None
    assert wait_until(lambda: kernels_of(store.location) == [], timeout=30)


def test_sigterm_stops_a_pipeline(store, tmp_path):
    write_notebook(tmp_path / "prep.ipynb", "seconds = 120", SLEEPING_CELL)
    write_notebook(tmp_path / "train.ipynb", None, "print('never started')")
    spec = tmp_path / "flow.yaml"
    spec.write_text(
        "name: flow\nsteps:\n  prep: {notebook: prep.ipynb}\n"
        "  train: {notebook: train.ipynb, depends_on: [prep]}\n"
    )
    process = start_cli("pipeline", os.fspath(spec), "--store", store.location)
    reader = open_store(store.location)
    assert wait_until(sleeping_runs(reader, 1), timeout=90)
    out, err = signal_cli(process, signal.SIGTERM)
    assert process.returncode == 143, err
    runs = {run.name: run for run in reader.search_runs()}
    assert runs["prep"].status == "interrupted" and runs["prep"].error["cell"] == 2
    assert runs["prep"].snapshot() is not None
    assert "train" not in runs  # never started
    assert runs["flow"].status == "interrupted"
    assert kernels_of(store.location) == []
