"""``jupyter mlops …`` (also ``jupyter-mlops``): the command-line face, one module per command
group. Each sub-command is a thin layer over functions the REST API and widgets use too.
Exit codes: 0 all finished; 1 some run failed; 2 bad usage or input; 130 interrupted.
"""

from __future__ import annotations

import argparse
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

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_RUN_FAILED", "EXIT_USAGE", "build_parser", "main"]

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
