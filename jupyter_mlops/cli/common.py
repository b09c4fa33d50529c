"""What every command of ``jupyter mlops`` shares: the parser, exit codes, ``--store`` and the
options of the commands that execute notebooks."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="LOCATION",
                        help="store directory or postgresql:// URL (default: JUPYTER_MLOPS_STORE, "
                             "else the nearest .mlops folder, else the git top, else the Jupyter data dir)")


def command(commands: Any, name: str, help: str, example: str, handler: Handler) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store(sub)
    sub.set_defaults(handler=handler)
    return sub


@contextlib.contextmanager
def warnings_to_stderr(command: str) -> Iterator[None]:
    """Warnings (unknown parameters, ...) as one plain line each."""

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        print(f"jupyter mlops {command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = show  # type: ignore[assignment]
        yield


def add_parameter_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; the value takes the type of its default in the parameters cell "
        "(a default of None, or no default: typed as papermill's -p types it)",
    )
    sub.add_argument(
        "-r",
        "--parameter-raw",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter whose value is text as given, as papermill's -r (a default with a "
        "type still converts it)",
    )
    sub.add_argument(
        "-y",
        "--parameters-yaml",
        action="append",
        default=[],
        metavar="YAML",
        help="parameters as YAML text, e.g. '{lr: 0.1, layers: [64, 32]}' (repeatable)",
    )
    sub.add_argument(
        "-f",
        "--parameters-file",
        action="append",
        default=[],
        metavar="PARAMS_FILE",
        help="parameters from a YAML or JSON file (repeatable)",
    )


def add_notebook_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--experiment", "-e", default="default", help="experiment of the run(s) (default: default)"
    )
    sub.add_argument("--name", "-n", help="run name (default: the notebook's name)")
    sub.add_argument("--kernel", "-k", help="kernel to execute with (default: the notebook's)")
    sub.add_argument(
        "--cwd",
        help="working directory of the kernel (default: the notebook's directory, as in "
        "Jupyter; papermill uses the caller's: pass --cwd . for that)",
    )
    sub.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="fail a run (reason: timeout) that takes longer than S seconds in all",
    )


def add_executor_options(sub: argparse.ArgumentParser, workers_help: str) -> None:
    sub.add_argument("--workers", "-w", type=int, help=workers_help)
    sub.add_argument(
        "--executor",
        default="local",
        metavar="NAME",
        help="where notebooks run: local processes (local, the default), a Dask distributed cluster "
        "(dask), or an executor a package registers (group jupyter_mlops.executors)",
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


def parameters(args: argparse.Namespace) -> dict[str, Any]:
    """Files, then YAML texts, then ``-p``, then ``-r``: later ones win, as in papermill."""
    from ..runner.parameters import (
        TextValue,
        merge_parameters,
        parameters_from_file,
        parameters_from_yaml,
    )

    return merge_parameters(
        *(parameters_from_file(path) for path in args.parameters_file),
        *(parameters_from_yaml(text) for text in args.parameters_yaml),
        {name: TextValue(value) for name, value in args.parameter},
        {name: str(value) for name, value in args.parameter_raw},
    )


def prestart(args: argparse.Namespace) -> int:
    from ..runner.executors import PRESTART

    return PRESTART if args.prestart is None else max(0, args.prestart)


def short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"
