"""``jupyter mlops run | sweep | pipeline | rerun``: notebooks executed with papermill.

Thin: each command parses its options, calls the runner's Python API and prints the outcome.
Exit codes: 0 all finished; 1 some run failed (the rest still ran); 2 bad usage or input
(nothing ran); 130 interrupted.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

from .common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    add_executor_options,
    add_notebook_options,
    add_parameter_options,
    command,
    parameters,
    prestart,
    short,
    warnings_to_stderr,
)

_DESCENDING_KEY = re.compile(
    r"^-(?:metrics?|params?|tags?)\.|^-(?:name|status|started_at|ended_at|duration|experiment)$"
)


def _print_run(run: Any, output: str | None = None) -> None:
    from ..errors import describe_error
    from ..render.text import format_duration, format_value

    line = f"run {run.id} {run.status} in {format_duration(run.duration)}  ({run.name}, experiment {run.experiment})"
    print(line)
    if run.status != "finished" and run.error:
        print(f"  error    {describe_error(run.error)}")
    if run.metrics:
        shown = [
            f"{k}={format_value(v)}"
            for k, v in sorted(run.metrics.items())
            if not k.startswith("system/")
        ]
        if shown:
            print("  metrics  " + "  ".join(shown[:8]))
    if run.outputs:
        print(
            "  outputs  "
            + "  ".join(f"{k}={short(v, 40)}" for k, v in sorted(run.outputs.items()))
        )
    if output:
        print(f"  notebook {output}")


# --- run ----------------------------------------------------------------------------------------


def register_run(commands: Any) -> None:
    sub = command(
        commands,
        "run",
        "execute a notebook with papermill as one tracked run",
        "jupyter mlops run train.ipynb -p lr 0.01 -p epochs 5 --output out/train.ipynb",
        _run,
    )
    sub.epilog = (sub.epilog or "") + (
        "\n\nworking directory: the kernel runs in the notebook's folder (as Jupyter runs it), "
        "not\nthe folder you call from (papermill's default); --cwd DIR changes it.\n"
        "coming from papermill: see docs/running.md, \"Coming from papermill\"."
    )
    sub.add_argument("notebook", metavar="NOTEBOOK")
    add_parameter_options(sub)
    add_notebook_options(sub)
    sub.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="also write the executed notebook here (written even when a cell fails)",
    )


def _run(args: argparse.Namespace) -> int:
    from ..runner.errors import Interrupted
    from ..runner.single import run_notebook

    with warnings_to_stderr("run"):
        try:
            run = run_notebook(
                args.notebook,
                parameters(args),
                name=args.name,
                experiment=args.experiment,
                kernel=args.kernel,
                cwd=args.cwd,
                timeout=args.timeout,
                output=args.output,
                store=args.store,
            )
        except Interrupted as exc:
            _print_run(exc.result, args.output)
            return EXIT_INTERRUPTED
    _print_run(run, args.output)
    return EXIT_OK if run.status == "finished" else EXIT_RUN_FAILED


# --- sweep ----------------------------------------------------------------------------------------


def register_sweep(commands: Any) -> None:
    sub = command(
        commands,
        "sweep",
        "run a notebook over a grid of parameter values, as a parent run with one child each",
        "jupyter mlops sweep train.ipynb --grid lr=0.1,0.01 --grid epochs=5,10 --workers 2 --sort -metrics.acc",
        _sweep,
    )
    sub.add_argument("notebook", metavar="NOTEBOOK")
    sub.add_argument(
        "--grid",
        "-g",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="values of one parameter (repeat for more parameters: every combination runs)",
    )
    sub.add_argument(
        "--random", type=int, metavar="N", help="run N combinations drawn at random instead"
    )
    sub.add_argument(
        "--seed", type=int, metavar="S", help="seed of --random (default: a new draw each time)"
    )
    sub.add_argument(
        "--sort",
        metavar="EXPR",
        help="order of the summary table, e.g. -metrics.acc (- for descending) or "
        "'metrics.acc desc, params.lr'",
    )
    add_parameter_options(sub)
    add_notebook_options(sub)
    add_executor_options(sub, "how many notebooks run at once (default 1)")
    # `--sort -metrics.acc` reads as a value, not as an unknown option
    sub._negative_number_matcher = re.compile(  # type: ignore[attr-defined]
        rf"{sub._negative_number_matcher.pattern}|{_DESCENDING_KEY.pattern}"
    )  # type: ignore[attr-defined]


def _sweep(args: argparse.Namespace) -> int:
    from ..runner.errors import Interrupted
    from ..runner.sweeps import parse_grid, sweep

    with warnings_to_stderr("sweep"):
        try:
            result = sweep(
                args.notebook,
                parse_grid(args.grid),
                parameters=parameters(args),
                random=args.random,
                seed=args.seed,
                workers=1 if args.workers is None else args.workers,
                executor=args.executor,
                scheduler=args.scheduler,
                sort=args.sort,
                name=args.name,
                experiment=args.experiment,
                kernel=args.kernel,
                cwd=args.cwd,
                timeout=args.timeout,
                store=args.store,
                prestart=prestart(args),
            )
        except Interrupted as exc:
            _print_sweep(exc.result)
            return EXIT_INTERRUPTED
    _print_sweep(result)
    return EXIT_OK if not result.failed else EXIT_RUN_FAILED


def _print_sweep(result: Any) -> None:
    from ..errors import describe_error
    from ..render.text import runs_table

    children = result.children()
    sys.stdout.write(runs_table(children))
    counts: dict[str, int] = {}
    for child in children:
        counts[child.status] = counts.get(child.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"sweep {result.parent_id} {result.status}: {len(children)} runs ({summary or 'none'})")
    for child in children:
        if child.status != "finished" and child.error:
            print(f"  {child.id}: {describe_error(child.error)}")


# --- pipeline ------------------------------------------------------------------------------------


def register_pipeline(commands: Any) -> None:
    sub = command(
        commands,
        "pipeline",
        "run the notebooks of a pipeline file as a DAG of steps (cached when unchanged)",
        "jupyter mlops pipeline churn.yaml --workers 2",
        _pipeline,
    )
    sub.add_argument("file", metavar="FILE.yaml")
    sub.add_argument(
        "--force", action="store_true", help="run every step, even those whose result is cached"
    )
    sub.add_argument("--dry-run", action="store_true", help="list what would run and why; run nothing")
    add_executor_options(
        sub, "how many steps run at once (default: as many as can, up to the CPU count)"
    )


def _pipeline(args: argparse.Namespace) -> int:
    from ..runner.errors import Interrupted
    from ..runner.pipelines.spec import run_pipeline

    if args.dry_run:
        return _dry_run(args)
    with warnings_to_stderr("pipeline"):
        try:
            result = run_pipeline(
                args.file,
                force=args.force,
                workers=args.workers,
                executor=args.executor,
                scheduler=args.scheduler,
                store=args.store,
                prestart=prestart(args),
            )
        except Interrupted as exc:
            _print_pipeline(exc.result)
            return EXIT_INTERRUPTED
    _print_pipeline(result)
    return EXIT_OK if result.ok else EXIT_RUN_FAILED


def _dry_run(args: argparse.Namespace) -> int:
    from ..runner.pipelines.dry_run import plan_pipeline, plan_text
    from ..runner.pipelines.spec import Pipeline

    sys.stdout.write(plan_text(plan_pipeline(Pipeline.load(args.file), args.store, force=args.force)))
    return EXIT_OK


def _print_pipeline(result: Any) -> None:
    from ..errors import describe_error
    from ..render.text import format_duration, text_table

    rows = []
    for step in result.steps.values():
        if step.status == "cached":
            note = f"reuses {step.cached_from}"
        elif step.error and not step.ok:
            note = describe_error(step.error)
        else:
            note = ", ".join(f"{k}={short(v, 30)}" for k, v in sorted(step.outputs.items()))
        duration = format_duration(step.duration) if step.status in ("finished", "failed") else "-"
        rows.append([step.name, step.status, step.run_id or "-", duration, note])
    sys.stdout.write(
        text_table(["step", "status", "run", "duration", "outputs / reason"], rows, max_width=70)
    )
    counts: dict[str, int] = {}
    for step in result.steps.values():
        counts[step.status] = counts.get(step.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    print(f"pipeline {result.parent_id} {result.status}: {summary}")


# --- rerun -----------------------------------------------------------------------------------------


def register_rerun(commands: Any) -> None:
    sub = command(
        commands,
        "rerun",
        "execute a run's notebook snapshot again, some parameters changed",
        "jupyter mlops rerun 1m8gdm5tpbsc5x -p lr 0.02",
        _rerun,
    )
    sub.add_argument(
        "run_id",
        metavar="RUN_ID",
        help="the run to reproduce (a unique prefix of 4+ characters will do)",
    )
    add_parameter_options(sub)
    sub.add_argument("--name", "-n", help="name of the new run (default: the old run's)")
    sub.add_argument("--kernel", "-k", help="kernel to execute with (default: the snapshot's)")
    sub.add_argument(
        "--cwd",
        help="working directory (default: the old notebook's directory, if it still exists)",
    )
    sub.add_argument(
        "--timeout", type=float, metavar="S", help="fail the run if it takes longer than S seconds"
    )
    sub.add_argument(
        "--background",
        action="store_true",
        help="return once the run exists and let it execute in a background process",
    )


def _rerun(args: argparse.Namespace) -> int:
    from ..runner.errors import Interrupted
    from ..runner.reruns import rerun
    from ..store import open_store

    store = open_store(args.store)
    with warnings_to_stderr("rerun"):
        try:
            run_id = rerun(
                args.run_id,
                parameters(args),
                store=store,
                background=args.background,
                name=args.name,
                kernel=args.kernel,
                cwd=args.cwd,
                timeout=args.timeout,
            )
        except Interrupted as exc:
            _print_run(exc.result)
            return EXIT_INTERRUPTED
    run = store.get_run(run_id)
    if args.background:
        print(
            f"run {run.id} {run.status} (reproduces {run.tags.get('rerun_of')}); follow it with "
            f"`jupyter mlops show {run.id}`"
        )
        return EXIT_OK
    _print_run(run)
    return EXIT_OK if run.status == "finished" else EXIT_RUN_FAILED


EXECUTE_COMMANDS: list[Callable[[Any], None]] = [
    register_run,
    register_sweep,
    register_pipeline,
    register_rerun,
]


__all__ = ["EXECUTE_COMMANDS"]
