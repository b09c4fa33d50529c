"""``jupyter mlops run | sweep | pipeline | rerun | diff``: the runner's command-line face.

Thin: each command parses its options, calls the runner's Python API and prints the outcome.
Exit codes: 0 all finished; 1 some run failed (the rest still ran); 2 bad usage or input
(nothing ran); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

EXIT_INTERRUPTED = 130
_DESCENDING_KEY = re.compile(
    r"^-(?:metrics?|params?|tags?)\.|^-(?:name|status|started_at|ended_at|duration|experiment)$"
)


def _cli() -> Any:
    from .. import cli  # late: cli imports this module to list its commands

    return cli


@contextlib.contextmanager
def _warnings_to_stderr(command: str) -> Iterator[None]:
    """Warnings (unknown parameters, ...) as one plain line each."""

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        print(f"jupyter mlops {command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = show  # type: ignore[assignment]
        yield


# --- shared options ----------------------------------------------------------------------------


def _add_parameter_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; the value takes the type of its default in the parameters cell",
    )
    sub.add_argument(
        "-y",
        "--parameters-yaml",
        metavar="YAML",
        help="parameters as YAML text, e.g. '{lr: 0.1, layers: [64, 32]}'",
    )
    sub.add_argument(
        "-f", "--parameters-file", metavar="PARAMS_FILE", help="parameters from a YAML or JSON file"
    )


def _add_notebook_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--experiment", "-e", default="default", help="experiment of the run(s) (default: default)"
    )
    sub.add_argument("--name", "-n", help="run name (default: the notebook's name)")
    sub.add_argument("--kernel", "-k", help="kernel to execute with (default: the notebook's)")
    sub.add_argument(
        "--cwd", help="working directory of the kernel (default: the notebook's directory)"
    )
    sub.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="fail a run (reason: timeout) that takes longer than S seconds in all",
    )


def _add_executor_options(sub: argparse.ArgumentParser, workers_help: str) -> None:
    sub.add_argument("--workers", "-w", type=int, help=workers_help)
    sub.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask distributed cluster",
    )
    sub.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default with --executor dask: "
        "a local cluster of --workers processes)",
    )
    sub.add_argument(
        "--prestart",
        type=int,
        default=None,
        metavar="N",
        help="kernels each worker launches ahead for its next notebooks (default 2; 0: none)",
    )


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    from .parameters import TextValue, merge_parameters, parameters_from_file, parameters_from_yaml

    from_file = parameters_from_file(args.parameters_file) if args.parameters_file else {}
    from_yaml = parameters_from_yaml(args.parameters_yaml) if args.parameters_yaml else {}
    pairs = {name: TextValue(value) for name, value in args.parameter}
    return merge_parameters(from_file, from_yaml, pairs)


def _prestart(args: argparse.Namespace) -> int:
    from .executors import PRESTART

    return PRESTART if args.prestart is None else max(0, args.prestart)


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_run(run: Any, output: str | None = None) -> None:
    from ..views import format_duration, format_value
    from .execute import describe_error

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
            + "  ".join(f"{k}={_short(v, 40)}" for k, v in sorted(run.outputs.items()))
        )
    if output:
        print(f"  notebook {output}")


# --- run ----------------------------------------------------------------------------------------


def register_run(commands: Any) -> None:
    sub = _cli()._command(
        commands,
        "run",
        "execute a notebook with papermill as one tracked run",
        "jupyter mlops run train.ipynb -p lr 0.01 -p epochs 5 --output out/train.ipynb",
        _run,
    )
    sub.add_argument("notebook", metavar="NOTEBOOK")
    _add_parameter_options(sub)
    _add_notebook_options(sub)
    sub.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="also write the executed notebook here (written even when a cell fails)",
    )


def _run(args: argparse.Namespace) -> int:
    from .errors import Interrupted
    from .run import run_notebook

    with _warnings_to_stderr("run"):
        try:
            run = run_notebook(
                args.notebook,
                _parameters(args),
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
    return _cli().EXIT_OK if run.status == "finished" else _cli().EXIT_RUN_FAILED


# --- sweep ----------------------------------------------------------------------------------------


def register_sweep(commands: Any) -> None:
    sub = _cli()._command(
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
    _add_parameter_options(sub)
    _add_notebook_options(sub)
    _add_executor_options(sub, "how many notebooks run at once (default 1)")
    # `--sort -metrics.acc` reads as a value, not as an unknown option
    sub._negative_number_matcher = re.compile(  # type: ignore[attr-defined]
        rf"{sub._negative_number_matcher.pattern}|{_DESCENDING_KEY.pattern}"
    )  # type: ignore[attr-defined]


def _sweep(args: argparse.Namespace) -> int:
    from .errors import Interrupted
    from .sweeps import parse_grid, sweep

    with _warnings_to_stderr("sweep"):
        try:
            result = sweep(
                args.notebook,
                parse_grid(args.grid),
                parameters=_parameters(args),
                random=args.random,
                seed=args.seed,
                workers=args.workers or 1,
                executor=args.executor,
                scheduler=args.scheduler,
                sort=args.sort,
                name=args.name,
                experiment=args.experiment,
                kernel=args.kernel,
                cwd=args.cwd,
                timeout=args.timeout,
                store=args.store,
                prestart=_prestart(args),
            )
        except Interrupted as exc:
            _print_sweep(exc.result)
            return EXIT_INTERRUPTED
    _print_sweep(result)
    return _cli().EXIT_OK if not result.failed else _cli().EXIT_RUN_FAILED


def _print_sweep(result: Any) -> None:
    from ..views import runs_table
    from .execute import describe_error

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
    sub = _cli()._command(
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
    _add_executor_options(
        sub, "how many steps run at once (default: as many as can, up to the CPU count)"
    )


def _pipeline(args: argparse.Namespace) -> int:
    from .errors import Interrupted
    from .pipeline import run_pipeline

    if args.dry_run:
        return _dry_run(args)
    with _warnings_to_stderr("pipeline"):
        try:
            result = run_pipeline(
                args.file,
                force=args.force,
                workers=args.workers,
                executor=args.executor,
                scheduler=args.scheduler,
                store=args.store,
                prestart=_prestart(args),
            )
        except Interrupted as exc:
            _print_pipeline(exc.result)
            return EXIT_INTERRUPTED
    _print_pipeline(result)
    return _cli().EXIT_OK if result.ok else _cli().EXIT_RUN_FAILED


def _dry_run(args: argparse.Namespace) -> int:
    from .dry_run import plan_pipeline, plan_text
    from .pipeline import Pipeline

    sys.stdout.write(plan_text(plan_pipeline(Pipeline.load(args.file), args.store, force=args.force)))
    return _cli().EXIT_OK


def _print_pipeline(result: Any) -> None:
    from ..views import format_duration, text_table
    from .execute import describe_error

    rows = []
    for step in result.steps.values():
        if step.status == "cached":
            note = f"reuses {step.cached_from}"
        elif step.error and not step.ok:
            note = describe_error(step.error)
        else:
            note = ", ".join(f"{k}={_short(v, 30)}" for k, v in sorted(step.outputs.items()))
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
    sub = _cli()._command(
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
    _add_parameter_options(sub)
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
    from ..store import open_store
    from .errors import Interrupted
    from .reruns import rerun

    store = open_store(args.store)
    with _warnings_to_stderr("rerun"):
        try:
            run_id = rerun(
                args.run_id,
                _parameters(args),
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
        return _cli().EXIT_OK
    _print_run(run)
    return _cli().EXIT_OK if run.status == "finished" else _cli().EXIT_RUN_FAILED


# --- diff ------------------------------------------------------------------------------------------


def register_diff(commands: Any) -> None:
    sub = _cli()._command(
        commands,
        "diff",
        "compare two runs: params, last metrics and their notebooks cell by cell",
        "jupyter mlops diff 1m8gdm5tpbsc5x 1m8gdn2a0k7qz --format json",
        _diff,
    )
    sub.add_argument("run_a", metavar="RUN_A")
    sub.add_argument("run_b", metavar="RUN_B")
    sub.add_argument("--format", choices=("text", "json"), default="text")


def _diff(args: argparse.Namespace) -> int:
    from .diff import diff_json, diff_runs, diff_text

    result = diff_runs(args.run_a, args.run_b, store=args.store)
    sys.stdout.write(diff_json(result) if args.format == "json" else diff_text(result))
    return _cli().EXIT_OK


RUNNER_COMMANDS: list[Callable[[Any], None]] = [
    register_run,
    register_sweep,
    register_pipeline,
    register_rerun,
    register_diff,
]
