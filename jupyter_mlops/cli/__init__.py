"""``jupyter mlops …`` (also ``jupyter-mlops``): the command-line face, one module per command
group. Each sub-command is a thin layer over functions the REST API and widgets use too.
Exit codes: 0 all finished; 1 some run failed; 2 bad usage or input; 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._version import __version__
from ..errors import MlopsError
from .browse import register_runs, register_show
from .common import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, Parser
from .compare import register_diff
from .enable import register_enable
from .exchange import register_exchange
from .execute import EXECUTE_COMMANDS
from .gates import register_check, register_promote, register_report
from .lineage import register as register_lineage
from .models import register as register_models
from .reproduce import register as register_reproduce

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_RUN_FAILED", "EXIT_USAGE", "build_parser", "console", "main"]

#: Commands that read the store, print and end within a second or so (CI steps run them on
#: every push): their process is run without the cycle collector, see :func:`console`.
SHORT_LIVED = frozenset({"check", "report"})

_COMMANDS: list[Callable[[Any], None]] = [register_runs, register_show, register_exchange,
                                          register_enable, *EXECUTE_COMMANDS, register_diff,
                                          register_models, register_lineage, register_check,
                                          register_report, register_promote, register_reproduce]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="jupyter mlops",
        description="Track, run and compare notebook runs.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  jupyter mlops runs --filter \"metrics.acc > 0.9\" --order-by \"metrics.acc desc\"\n"
               "  jupyter mlops show 1m8gdm5tpbsc5x",
    )
    parser.add_argument("--version", action="version", version=f"jupyter-mlops {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for register in _COMMANDS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    from ..runner.termination import exit_code, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():  # a cancelled CI job stops a run as Ctrl-C does
            return exit_code(int(args.handler(args)))
    except MlopsError as exc:
        print(f"jupyter mlops {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_code(EXIT_INTERRUPTED)


def console() -> int:
    """The ``jupyter-mlops`` script (and ``python -m jupyter_mlops``): :func:`main`, and for a
    :data:`SHORT_LIVED` command, no cycle collection. Such a process lives about half a second,
    most of it importing SQLAlchemy; the collector's passes while it imports, and above all the
    interpreter's exit, which collects and frees every module's objects one by one, cost a
    third of its CPU time (``benchmarks/ci_bench.py`` measures it) and reclaim nothing the
    operating system would not. So the collector is off while the command runs (reference
    counting still frees what is not in a cycle), and what is alive at the end is frozen: the
    exit's collections skip it and the process's memory goes back whole. The command closes
    its store's connections itself before that. Long commands (runs, sweeps, servers) keep the
    collector: their cyclic garbage has time to pile up."""
    argv = sys.argv[1:]
    if not argv or argv[0] not in SHORT_LIVED:
        return main()
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()
        gc.enable()
