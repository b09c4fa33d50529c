"""The same executions on a real Dask LocalCluster (2 worker processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.runner import run_pipeline, sweep
from jupyter_mlops.store import open_store
from tests.support.runner import SLEEPING_CELL, kernels_of, sleeping_runs, wait_until

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from jupyter_mlops.runner.executors.dask import prepare_main_for_spawn

    prepare_main_for_spawn()  # earlier tests in this process may have installed an IPython __main__
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_sweep_on_dask_workers(store, notebook, scheduler):
    path = notebook(
        "train",
        "lr = 0.1",
        "import os, jupyter_mlops as mlops\nmlops.log_metric('acc', lr)\n"
        "mlops.output('worker_pid', os.getppid())",
    )
    result = sweep(
        path,
        {"lr": [0.25, 0.5, 0.75]},
        executor="dask",
        scheduler=scheduler,
        store=store.location,
        progress=False,
        sort="-metrics.acc",
    )
    assert result.status == "finished"
    children = result.children()
    assert [c.metrics["acc"] for c in children] == [0.75, 0.5, 0.25]
    executors = {c.outputs["worker_pid"] for c in children}
    assert os.getpid() not in executors  # the kernels were started by Dask's worker processes
    assert {c.pid for c in children} == executors
    assert wait_until(lambda: kernels_of(store.location) == [], timeout=10)


def test_pipeline_on_dask_with_cli(capsys, store, notebook, tmp_path, scheduler):
    notebook("prep", "rows = 1", "import jupyter_mlops as mlops\nmlops.output('rows', rows * 2)")
    notebook("use", "rows = 0", "import jupyter_mlops as mlops\nmlops.log_metric('rows', rows)")
    spec = tmp_path / "p.yaml"
    spec.write_text(
        "steps:\n  prep: {notebook: prep.ipynb, parameters: {rows: 21}}\n"
        "  use: {notebook: use.ipynb, parameters: {rows: '${steps.prep.outputs.rows}'}, "
        "depends_on: [prep]}\n"
    )
    code = main(
        [
            "pipeline",
            os.fspath(spec),
            "--executor",
            "dask",
            "--scheduler",
            scheduler,
            "--store",
            store.location,
        ]
    )
    assert code == 0, capsys.readouterr()
    use = store.search_runs("tags.step = 'use'")[0]
    assert use.metrics == {"rows": 42.0} and use.params == {"rows": 42}
    again = run_pipeline(
        spec, executor="dask", scheduler=scheduler, store=store.location, progress=False
    )
    assert {s.status for s in again.steps.values()} == {"cached"}


def test_ctrl_c_stops_a_sweep_on_its_own_local_cluster(store, notebook):
    path = notebook("slow", "seconds = 60.0", SLEEPING_CELL)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_mlops",
            "sweep",
            os.fspath(path),
            "--grid",
            "seconds=60,61,62",
            "--workers",
            "2",
            "--executor",
            "dask",
            "--store",
            store.location,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        reader = open_store(store.location)
        assert wait_until(sleeping_runs(reader, 2), timeout=120)
        os.killpg(process.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    children = reader.search_runs("source = 'notebook'")
    assert len(children) == 2
    assert {(c.status, c.error["reason"]) for c in children} == {("interrupted", "interrupted")}
    assert all(c.error["cell"] is not None for c in children)  # stopped mid-cell, gracefully
    assert all("KeyboardInterrupt" in c.error["traceback"] for c in children)
    assert wait_until(lambda: kernels_of(store.location) == [], timeout=10)
