"""``jupyter mlops reproduce RUN``: execute a run's stored notebook again with its own params
and say whether its metrics come out the same. Exit codes: 0 reproduced; 1 differs or the
reproduction failed; 2 bad usage (nothing stored); 130 interrupted (no verdict stored)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, command, warnings_to_stderr


def register(commands: Any) -> None:
    sub = command(
        commands,
        "reproduce",
        "execute a run's stored notebook again, in a fresh kernel with its own params, and "
        "compare every metric with the run's",
        "jupyter mlops reproduce 1m8gdm5tpbsc5x --tolerance 1e-4",
        _reproduce,
    )
    sub.epilog = (sub.epilog or "") + (
        "\n\nthe reproduction is a child run tagged reproduces=RUN; the verdict is stored on RUN as\n"
        "tag mlops.reproduced (yes, no or failed). exit codes: 0 reproduced, 1 differs or failed,\n"
        "2 bad usage."
    )
    sub.add_argument("run_id", metavar="RUN", help="a run id (a unique prefix of 4+ characters will do)")
    sub.add_argument("--tolerance", metavar="REL", default="1e-6",
                     help="relative tolerance of every metric value, e.g. 1e-4 or 0.5%% (default 1e-6; "
                          "0: identical)")
    sub.add_argument("--kernel", "-k", help="kernel to execute with (default: the run's)")
    sub.add_argument("--format", choices=("text", "json"), default="text")


def _reproduce(args: argparse.Namespace) -> int:
    from ..compare.tolerance import parse_tolerance
    from ..runner.errors import Interrupted
    from ..runner.reproduction import reproduce, reproduction_job
    from ..store import open_store

    store = open_store(args.store)
    tolerance = parse_tolerance(args.tolerance)  # bad input: refused before anything runs
    run = store.find_run(args.run_id)
    reproduction_job(store, run, tolerance, kernel=args.kernel)  # every check, nothing stored
    print(f"reproducing run {run.id} ({run.name}): executing its stored notebook in a fresh kernel…",
          file=sys.stderr)
    with warnings_to_stderr("reproduce"):
        try:
            result = reproduce(run, tolerance=tolerance, store=store, kernel=args.kernel)
        except Interrupted as exc:
            print(f"reproduction {exc.result.id} interrupted; no verdict stored", file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(result.text())
    return EXIT_OK if result.verdict == "reproduced" else EXIT_RUN_FAILED
