"""``jupyter mlops check``, ``report`` and ``promote``: the CI faces over :mod:`jupyter_mlops.gates`.

Exit codes: 0 every gate holds, 1 a gate fails, 2 bad usage (an unknown metric, a baseline that
resolves to nothing, a run still running without ``--wait``: one line naming what was wrong).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, EXIT_RUN_FAILED, command

RUN_HELP = "a run id (or a unique prefix of one), or latest:FILTER for the newest run a filter matches"
REF_HELP = ("the baseline: a run id, model:NAME@ALIAS or model:NAME/VERSION (the run that produced "
            "that version), or best:ORDER (the best other finished run of RUN's experiment, "
            "e.g. 'best:metrics.val_acc desc')")


def add_gate_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--baseline", metavar="REF", help=REF_HELP)
    sub.add_argument("--require", action="append", default=[], metavar="EXPR",
                     help="a filter expression that must hold for RUN, e.g. 'metrics.val_acc >= 0.9' (repeatable)")
    sub.add_argument("--max-regression", action="append", default=[], metavar="METRIC=DELTA[%]",
                     help="fail when RUN is worse than the baseline by more than DELTA (relative with %%), "
                          "e.g. metrics.val_acc=0.005 or val_loss=2%% (repeatable; default with --baseline: "
                          "no regression of any metric both runs have)")
    sub.add_argument("--higher-is-better", action="append", default=[], metavar="METRIC",
                     help="METRIC is better higher, whatever its name says (repeatable)")
    sub.add_argument("--lower-is-better", action="append", default=[], metavar="METRIC",
                     help="METRIC is better lower (names with loss, error, rmse, time... already are)")
    sub.add_argument("--wait", type=float, metavar="S",
                     help="wait up to S seconds for a run that is still running (default: refuse it)")


def gate_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The arguments of ``mlops.check`` the gate options give."""
    from ..gates.gates import parse_max_regression

    return {"baseline": args.baseline, "require": args.require,
            "max_regression": parse_max_regression(args.max_regression),
            "higher_is_better": args.higher_is_better, "lower_is_better": args.lower_is_better,
            "wait": args.wait}


def register_check(commands: Any) -> None:
    sub = command(commands, "check", "decide whether a run passes its metric gates (exit 0 pass, 1 fail)",
                  "jupyter mlops check latest:experiment='digits' --baseline model:digits@production "
                  "--max-regression metrics.val_acc=0.005 --require 'metrics.val_acc >= 0.9'", _check)
    sub.add_argument("run", metavar="RUN", help=RUN_HELP)
    add_gate_options(sub)
    sub.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def _check(args: argparse.Namespace) -> int:
    from ..gates.check import check, open_for
    from ..gates.verdict import FORMATS

    result = check(args.run, store=open_for(args.store), **gate_arguments(args))
    sys.stdout.write(FORMATS[args.format](result))
    return EXIT_OK if result.passed else EXIT_RUN_FAILED


def register_promote(commands: Any) -> None:
    sub = command(commands, "promote",
                  "register a run's model and move an alias to it, only when the run passes its gates",
                  "jupyter mlops promote latest:experiment='digits' --model digits --artifact model.joblib "
                  "--alias production --baseline model:digits@production --max-regression metrics.val_acc=0.005",
                  _promote)
    sub.add_argument("run", metavar="RUN", help=RUN_HELP)
    sub.add_argument("--model", required=True, metavar="NAME", help="the model's name (letters, digits, _ - .)")
    sub.add_argument("--artifact", required=True, metavar="ARTIFACT",
                     help="an artifact of RUN (as `jupyter mlops show RUN` lists it), or a file path, "
                          "logged to RUN first")
    sub.add_argument("--alias", required=True, metavar="ALIAS", help="the alias to move (a Python identifier)")
    add_gate_options(sub)
    sub.add_argument("--format", choices=("text", "json"), default="text")


def _promote(args: argparse.Namespace) -> int:
    from ..gates.check import open_for
    from ..gates.promote import promote
    from ..gates.verdict import check_text

    outcome = promote(args.run, model=args.model, artifact=args.artifact, alias=args.alias,
                      store=open_for(args.store), **gate_arguments(args))
    if args.format == "json":
        from ..render.export import strict_json

        sys.stdout.write(strict_json(outcome.to_dict()) + "\n")
    else:
        sys.stdout.write(check_text(outcome.check))
        print(outcome.summary())
    return EXIT_OK if outcome.check.passed else EXIT_RUN_FAILED
