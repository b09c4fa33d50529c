"""Headless runs next to plain papermill, on a trivial parametrised notebook.

    python -m benchmarks.runner_bench [--repeat N] [--json] [--quick]

1. Eight executions, wall time of the whole thing:
   (a) 8 ``papermill`` commands one after another, as users script it today;
   (b) one Python process looping over ``papermill.execute_notebook`` (its import included);
   (c) ``jupyter mlops sweep --workers 2`` with kernels launched ahead (the default), and
   (c0) the same with ``--prestart 0``. Targets: (c) <= 0.4 x (a) and <= 0.6 x (b).
2. One notebook: ``jupyter mlops run`` against ``papermill``, interleaved (at least 10 pairs),
   median and best. Target: tracking costs at most 5 % over papermill.
3. A pipeline of 10 steps run again with nothing changed (every step cached, no kernel
   started): the whole ``jupyter mlops pipeline`` command. Target: <= 0.5 s.

The figures of 1. are medians of ``--repeat`` rounds (default 2, as those recorded in
benchmarks/README.md; a round starts 32 kernels), each in fresh processes; 2. takes at least
10 pairs, 3. at least 3 runs again.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PAPERMILL = os.fspath(BIN / "papermill")
MLOPS = os.fspath(BIN / "jupyter-mlops")

LOOP = textwrap.dedent("""
    import sys, papermill
    for i in range(int(sys.argv[3])):
        papermill.execute_notebook(sys.argv[1], f"{sys.argv[2]}/loop-{i}.ipynb", parameters={"x": i},
                                   progress_bar=False)
""")


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(nbformat.v4.new_code_cell(source) for source in cells)]
    nbformat.write(nb, os.fspath(path))
    return path


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}"
        )
    return elapsed


def eight_executions(work: Path, notebook: Path, repeat: int, count: int = 8) -> dict[str, float]:
    figures: dict[str, list[float]] = {
        "a_papermill_commands": [],
        "b_execute_notebook_loop": [],
        "c_sweep_workers_2": [],
        "c0_sweep_workers_2_no_prestart": [],
    }
    grid = "x=" + ",".join(str(i) for i in range(count))
    for round_ in range(repeat):
        out = work / f"out-{round_}"
        out.mkdir()
        started = time.perf_counter()
        for i in range(count):
            timed(
                [
                    PAPERMILL,
                    "--no-progress-bar",
                    "-p",
                    "x",
                    str(i),
                    os.fspath(notebook),
                    os.fspath(out / f"pm-{i}.ipynb"),
                ]
            )
        figures["a_papermill_commands"].append(time.perf_counter() - started)
        figures["b_execute_notebook_loop"].append(
            timed([sys.executable, "-c", LOOP, os.fspath(notebook), os.fspath(out), "8"])
        )
        store = os.fspath(work / f"store-sweep-{round_}")
        figures["c_sweep_workers_2"].append(
            timed(
                [
                    MLOPS,
                    "sweep",
                    os.fspath(notebook),
                    "--grid",
                    grid,
                    "--workers",
                    "2",
                    "--store",
                    store,
                ]
            )
        )
        figures["c0_sweep_workers_2_no_prestart"].append(
            timed(
                [
                    MLOPS,
                    "sweep",
                    os.fspath(notebook),
                    "--grid",
                    grid,
                    "--workers",
                    "2",
                    "--prestart",
                    "0",
                    "--store",
                    store,
                ]
            )
        )
    return {key: statistics.median(values) for key, values in figures.items()}


def single_run(work: Path, notebook: Path, rounds: int = 10) -> dict[str, float]:
    papermill, ours = [], []
    store = os.fspath(work / "store-run")
    for round_ in range(rounds):  # interleaved, so that machine noise hits both alike
        papermill.append(
            timed(
                [
                    PAPERMILL,
                    "--no-progress-bar",
                    "-p",
                    "x",
                    "3",
                    os.fspath(notebook),
                    os.fspath(work / f"single-{round_}.ipynb"),
                ]
            )
        )
        ours.append(timed([MLOPS, "run", os.fspath(notebook), "-p", "x", "3", "--store", store]))
    return {
        "papermill_command": statistics.median(papermill),
        "mlops_run": statistics.median(ours),
        "papermill_command_best": min(papermill),
        "mlops_run_best": min(ours),
    }


def cached_pipeline(work: Path, repeat: int, count: int = 10) -> dict[str, float]:
    """The pipeline run once, then ``repeat`` times again with every step cached."""
    steps = ["steps:"]
    for i in range(count):
        write_notebook(
            work / f"step{i}.ipynb",
            "n = 0",
            "import jupyter_mlops as mlops\nmlops.output('n', n + 1)\nmlops.log_metric('n', n)",
        )
        depends = (
            f", depends_on: [s{i - 1}], parameters: {{n: '${{steps.s{i - 1}.outputs.n}}'}}"
            if i
            else ""
        )
        steps.append(f"  s{i}: {{notebook: step{i}.ipynb{depends}}}")
    spec = work / "pipeline.yaml"
    spec.write_text("\n".join(steps) + "\n")
    store = os.fspath(work / "store-pipeline")
    first = timed([MLOPS, "pipeline", os.fspath(spec), "--store", store])
    again = [
        timed([MLOPS, "pipeline", os.fspath(spec), "--store", store]) for _ in range(repeat)
    ]
    return {"first_run_10_steps": first, "rerun_all_cached_10_steps": statistics.median(again)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quick", action="store_true",
                        help="two executions, one round, one pair, a two-step pipeline run again once: "
                             "check that it runs")
    args = parser.parse_args(argv)
    # Each kernel start costs seconds (many times that on a busy machine): --quick starts as
    # few as still run every command once.
    count, pairs, steps, reruns = (2, 1, 2, 1) if args.quick else (8, max(3 * args.repeat, 10), 10, max(args.repeat, 3))
    if args.quick:
        args.repeat = 1
    with tempfile.TemporaryDirectory(prefix="runner-bench-") as folder:
        work = Path(folder)
        notebook = write_notebook(work / "trivial.ipynb", "x = 1", "y = x * 2\nprint(y)")
        eight = eight_executions(work, notebook, args.repeat, count)
        single = single_run(work, notebook, pairs)
        pipeline = cached_pipeline(work, reruns, steps)
    figures = {
        "eight_executions": eight,
        "one_notebook": single,
        "pipeline": pipeline,
        "cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    a, b, c = (
        eight["a_papermill_commands"],
        eight["b_execute_notebook_loop"],
        eight["c_sweep_workers_2"],
    )
    print(f"{count} executions of a trivial notebook ({os.cpu_count()} cores, median of {args.repeat}):")
    print(f"  (a) {count} papermill commands            {a:6.2f} s")
    print(f"  (b) execute_notebook loop           {b:6.2f} s")
    print(
        f"  (c) jupyter mlops sweep --workers 2 {c:6.2f} s   = {c / a:.2f} x (a) [target <= 0.4], "
        f"{c / b:.2f} x (b) [target <= 0.6]"
    )
    print(f"  (c0) the same, --prestart 0         {eight['c0_sweep_workers_2_no_prestart']:6.2f} s")
    overhead = single["mlops_run"] / single["papermill_command"] - 1
    best = single["mlops_run_best"] / single["papermill_command_best"] - 1
    print("one notebook (interleaved; median, best):")
    print(
        f"  papermill                           {single['papermill_command']:6.2f} s  "
        f"{single['papermill_command_best']:6.2f} s"
    )
    print(
        f"  jupyter mlops run                   {single['mlops_run']:6.2f} s  "
        f"{single['mlops_run_best']:6.2f} s   = {overhead:+.1%}, {best:+.1%} [target <= +5%]"
    )
    print(f"pipeline of {steps} steps:")
    print(f"  first run                           {pipeline['first_run_10_steps']:6.2f} s")
    print(
        f"  again, all cached                   {pipeline['rerun_all_cached_10_steps']:6.2f} s   [target <= 0.5 s]"
    )


if __name__ == "__main__":
    main()
