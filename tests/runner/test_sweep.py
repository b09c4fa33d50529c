"""`jupyter mlops sweep`: a parent run and a child per combination, in parallel worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from jupyter_mlops.cli import main
from jupyter_mlops.runner import sweep
from jupyter_mlops.store import open_store
from tests.support.runner import SLEEPING_CELL, kernels_of, sleeping_runs, wait_until

SCORE = "import jupyter_mlops as mlops\nmlops.log_metric('acc', 1 / lr if lr else 1 / 0)"


def test_sweep_runs_every_combination_in_parallel_and_sorts_the_summary(capsys, store, notebook):
    path = notebook("train", "lr = 0.1\nepochs = 1", SCORE)
    code = main(
        [
            "sweep",
            os.fspath(path),
            "--grid",
            "lr=1,4,0",
            "--grid",
            "epochs=3",
            "--workers",
            "2",
            "--sort",
            "-metrics.acc",
            "--experiment",
            "grid",
            "--store",
            store.location,
        ]
    )
    captured = capsys.readouterr()
    assert code == 1, captured  # the lr=0 child failed; the others still ran
    parent = store.search_runs("tags.kind = 'sweep'")[0]
    children = parent.children()
    assert parent.status == "failed" and parent.source == "api"
    assert sorted(c.params["lr"] for c in children) == [0.0, 1.0, 4.0]
    assert all(isinstance(c.params["lr"], float) and c.params["epochs"] == 3 for c in children)
    assert all(c.source == "notebook" and c.experiment == "grid" for c in children)
    # the parent and its children, made one after another, take the palette's next colours
    assert parent.colour_slot == 0 and sorted(c.colour_slot for c in children) == [1, 2, 3]
    assert {c.status for c in children if c.params["lr"]} == {"finished"}
    failed = next(c for c in children if c.params["lr"] == 0)
    assert failed.status == "failed" and failed.error["ename"] == "ZeroDivisionError"
    assert len({c.pid for c in children} - {os.getpid()}) >= 1  # executed by worker processes
    table = [
        line for line in captured.out.splitlines() if line.startswith(tuple(c.id for c in children))
    ]
    assert [line.split()[0] for line in table[:2]] == [
        c.id for c in sorted(children, key=lambda c: -c.metrics.get("acc", -1))[:2]
    ]
    assert f"sweep {parent.id} failed: 3 runs (1 failed, 2 finished)" in captured.out
    assert "[3/3]" in captured.err  # progress, one line per run when stderr is no terminal
    assert kernels_of(store.location) == []


def test_sweep_api_with_a_random_draw(store, notebook):
    path = notebook("train", "lr = 0.1\nepochs = 1", SCORE)
    result = sweep(
        path,
        {"lr": [1, 2, 4, 8], "epochs": [1, 2]},
        random=3,
        seed=1,
        store=store.location,
        progress=False,
    )
    assert result.status == "finished"
    assert len(result.results) == 3 and all(r.ok for r in result.results)
    combos = {(c.params["lr"], c.params["epochs"]) for c in result.children()}
    assert len(combos) == 3
    assert result.parent.tags["random"] == "3"


KERNEL_FACTS = (
    "import builtins, os, time, jupyter_mlops as mlops\n"
    "mlops.output('leaked', getattr(builtins, 'earlier_run', None))\n"
    "builtins.earlier_run = os.environ['JUPYTER_MLOPS_RUN_ID']\n"
    "fields = open('/proc/self/stat').read().rsplit(')', 1)[1].split()\n"
    "age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf('SC_CLK_TCK')\n"
    "mlops.output('kernel_started_at', time.time() - age)"
)


def test_kernels_are_launched_ahead_and_serve_one_notebook_each(store, notebook):
    path = notebook("facts", "i = 0", KERNEL_FACTS)
    for prestart in (2, 0):
        result = sweep(
            path, {"i": [1, 2, 3]}, store=store.location, progress=False, prestart=prestart
        )
        children = result.children()
        assert [c.outputs["leaked"] for c in children] == [None, None, None]  # a fresh kernel each
        # launched ahead: before the previous notebook even began; else only after it ended
        launched_ahead = [
            children[k].outputs["kernel_started_at"] < children[k - 1].started_at for k in (1, 2)
        ]
        assert launched_ahead == [bool(prestart)] * 2


def test_ctrl_c_interrupts_running_children_and_starts_no_queued_one(store, notebook):
    path = notebook("slow", "seconds = 60.0", SLEEPING_CELL)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_mlops",
            "sweep",
            os.fspath(path),
            "--grid",
            "seconds=60,61,62,63",
            "--workers",
            "2",
            "--store",
            store.location,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        reader = open_store(store.location)

        assert wait_until(sleeping_runs(reader, 2), timeout=90)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    parent = reader.search_runs("tags.kind = 'sweep'")[0]
    children = parent.children()
    assert parent.status == "interrupted"
    assert len(children) == 2
    assert {c.status for c in children} == {"interrupted"}
    assert all(c.error["reason"] == "interrupted" for c in children)
    assert all(c.error["cell"] is not None for c in children)  # stopped mid-cell, gracefully
    assert all("KeyboardInterrupt" in c.error["traceback"] for c in children)
    assert all(c.snapshot() is not None for c in children)  # the partial notebook is kept
    assert wait_until(lambda: kernels_of(store.location) == [], timeout=10)
    assert "2 interrupted" in out.decode()
