"""``jupyter mlops diff``: two runs compared (params, last metrics, cells) by the one
comparison the REST API and the widgets use too."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, command


def register_diff(commands: Any) -> None:
    sub = command(
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
    from ..compare.render import diff_json, diff_text
    from ..runner.diff import diff_runs

    result = diff_runs(args.run_a, args.run_b, store=args.store)
    sys.stdout.write(diff_json(result) if args.format == "json" else diff_text(result))
    return EXIT_OK
