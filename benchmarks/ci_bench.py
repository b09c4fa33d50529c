"""``jupyter mlops check`` and ``report`` on a large store, start-up included.

    python -m benchmarks.ci_bench [--runs N] [--repeat R] [--quick] [--keep DIR] [--pythonpath DIR]

Builds a store of N runs (default 10,000) in one experiment, each with two params and two
metrics of 20 steps; the second newest run's model is ``digits@production`` and the newest run
is the candidate (both with a notebook snapshot, so the report diffs cells). Then times each command
as a user runs it, in a fresh process (``jupyter-mlops ...``: Python start-up, imports, opening
the store, the queries and the rendering), and prints the median of R runs after one warm-up
run (which also writes the modules' bytecode caches). CPU time (user + system of the process) is
printed beside wall time: on a busy shared machine wall time mostly measures the wait for a core.
``--keep DIR`` builds the store in DIR and leaves it there, or reuses the store already in DIR
(to profile one command by hand on the same store). ``--pythonpath DIR`` runs the commands as
``python -m jupyter_mlops`` with DIR first on ``PYTHONPATH``: the package of an earlier commit
(``git archive COMMIT jupyter_mlops | tar -x -C DIR``), timed on the same store, for a before/after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def notebook(lr: float) -> bytes:
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in ("import numpy as np", f"lr = {lr}\nepochs = 20", "model = fit(lr, epochs)")]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def build_store(folder: Path, runs: int) -> str:
    """``runs`` finished runs, written 1,000 to a transaction through ``Store.write_batch`` (as
    the tracking writer writes), then a registered baseline and the newest candidate, both with
    a snapshot, through the tracking API."""
    import array

    import jupyter_mlops as mlops
    from jupyter_mlops.store.ids import new_run_id
    from jupyter_mlops.store.sqlstore import NewRun, WriteBatch

    store = str(folder / ".mlops")
    opened = mlops.get_store(store)
    now = time.time() - runs
    for first in range(0, max(0, runs - 2), 1000):
        batch = WriteBatch()
        for index in range(first, min(first + 1000, runs - 2)):
            run_id, lr, started = new_run_id(), round(0.001 * (index % 500 + 1), 4), now + index
            batch.creates[run_id] = NewRun(name="train", experiment="digits", started_at=started)
            batch.params[run_id] = {"lr": lr, "epochs": 20}
            steps = array.array("q", range(20))
            stamps = array.array("d", (started + step * 0.01 for step in range(20)))
            batch.series[(run_id, "val_acc")] = (steps, array.array("d", (0.8 + 0.009 * s - lr / 10 for s in steps)),
                                                 stamps)
            batch.series[(run_id, "val_loss")] = (steps, array.array("d", (1.0 - 0.04 * s for s in steps)), stamps)
            batch.ends[run_id] = ("finished", started + 1, None)
        opened.write_batch(batch)
    model = folder / "model.pkl"
    model.write_bytes(b"weights")
    for index, lr in enumerate((0.05, 0.04)):
        with mlops.start_run(name="train", experiment="digits", params={"lr": lr, "epochs": 20},
                             store=store) as run:
            for step in range(20):
                mlops.log_metrics({"val_acc": 0.80 + 0.009 * step - lr / 10, "val_loss": 1.0 - 0.04 * step},
                                  step=step)
            if index == 0:
                mlops.register_model("digits", model, alias="production")
        opened.set_snapshot(run.id, notebook(lr))
    return store


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, repeat: int, warm_up: bool = True,
          pythonpath: Path | None = None) -> tuple[float, float]:
    """Median wall and CPU seconds of ``command`` in a fresh process, after a warm-up run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.fspath(pythonpath), env.get("PYTHONPATH")]))
    walls, cpus = [], []
    for attempt in range(repeat + 1 if warm_up else repeat):
        cpu, started = _cpu(), time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        if attempt or not warm_up:
            walls.append(time.perf_counter() - started)
            cpus.append(_cpu() - cpu)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return statistics.median(walls), statistics.median(cpus)


def in_process(store: str, repeat: int) -> list[tuple[str, float]]:
    """The commands' own work, without start-up: ``mlops.check`` and the report's gathering."""
    import jupyter_mlops as mlops
    from jupyter_mlops.gates.report import build_report
    from jupyter_mlops.gates.report_markdown import report_markdown

    opened = mlops.get_store(store)
    gates = {"require": ["metrics.val_loss < 0.5"], "max_regression": {"val_acc": 0.01}}

    def check() -> None:
        mlops.check("latest:name = 'train'", "model:digits@production", store=opened, **gates)

    def report() -> None:
        report_markdown(build_report(opened, ["latest:name = 'train'"], "model:digits@production", **gates))

    out = []
    for label, work in (("`mlops.check`", check), ("report gathered and written as Markdown", report)):
        work()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        out.append((label, statistics.median(times)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="200 runs, one run of check and of a report with charts, no warm-up: that it works")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the store in DIR and keep it, or reuse the one already there")
    parser.add_argument("--pythonpath", type=Path, metavar="DIR",
                        help="time the jupyter_mlops package in DIR (an earlier commit's) instead of this one")
    args = parser.parse_args()
    runs, repeat = (200, 1) if args.quick else (args.runs, args.repeat)
    folder = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="mlops-ci-bench-"))
    try:
        started = time.perf_counter()
        if args.keep and (folder / ".mlops").exists():
            store = str(folder / ".mlops")
            print(f"store reused from {store} (built earlier; --runs does not apply)")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            store = build_store(folder, runs)
            print(f"store of {runs:,} runs built in {time.perf_counter() - started:.1f} s")
        cli = str(Path(sys.executable).with_name("jupyter-mlops"))
        if not os.path.exists(cli) or args.pythonpath:
            cli = sys.executable  # not installed as a script, or another commit's package: python -m
        prefix = [cli] if cli != sys.executable else [sys.executable, "-m", "jupyter_mlops"]
        gates = ["latest:name = 'train'", "--baseline", "model:digits@production",
                 "--max-regression", "val_acc=0.01", "--require", "metrics.val_loss < 0.5", "--store", store]
        cases = [
            ("python -c pass (start-up alone)", [sys.executable, "-c", "pass"]),
            ("check", [*prefix, "check", *gates]),
            ("check --format json", [*prefix, "check", *gates, "--format", "json"]),
            ("report --format markdown (charts left out)", [*prefix, "report", *gates, "--format", "markdown"]),
            ("report --format markdown --assets DIR (2 SVG charts)",
             [*prefix, "report", *gates, "--format", "markdown", "--assets", str(folder / "assets")]),
            ("report --format html (2 SVG charts inline)", [*prefix, "report", *gates, "--format", "html"]),
        ]
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
              + " ".join(f"{load:.1f}" for load in os.getloadavg()) + f" on {os.cpu_count()} cores")
        rounds = 1 if args.quick else max(repeat, 5)
        print(f"\n| in this process, imports done, median of {rounds} | wall |\n|---|---|")
        for label, seconds in in_process(store, rounds):
            print(f"| {label} | {seconds * 1000:.1f} ms |")
        print(f"\n| command, on {runs:,} runs, fresh process | wall, median of {repeat} | CPU | target |")
        print("|---|---|---|---|")
        if args.quick:
            cases = [case for case in cases if case[0] in ("check", "report --format html (2 SVG charts inline)")]
        for label, command in cases:
            wall, cpu = timed(command, folder, repeat, warm_up=not args.quick,
                              pythonpath=args.pythonpath.resolve() if args.pythonpath else None)
            target = "" if label.startswith("python") else f"≤ {TARGET_SECONDS:g} s"
            print(f"| `{label}` | {wall:.3f} s | {cpu:.3f} s | {target} |", flush=True)
        print("load average at the end " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
