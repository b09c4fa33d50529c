"""``jupyter mlops check``, ``report`` and ``promote``: the CI faces over :mod:`jupyter_mlops.gates`.

Exit codes: 0 every gate holds, 1 a gate fails, 2 bad usage (an unknown metric, a baseline that
resolves to nothing, a run still running without ``--wait``: one line naming what was wrong).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
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
                  "jupyter mlops check \"latest:experiment = 'digits'\" --baseline model:digits@production "
                  "--max-regression metrics.val_acc=0.005 --require 'metrics.val_acc >= 0.9'", _check)
    sub.add_argument("run", metavar="RUN", help=RUN_HELP)
    add_gate_options(sub)
    sub.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def _check(args: argparse.Namespace) -> int:
    from ..gates.check import check, open_for
    from ..gates.verdict import FORMATS

    with closing(open_for(args.store)) as store:
        result = check(args.run, store=store, **gate_arguments(args))
    sys.stdout.write(FORMATS[args.format](result))
    return EXIT_OK if result.passed else EXIT_RUN_FAILED


def register_report(commands: Any) -> None:
    sub = command(commands, "report",
                  "a Markdown or HTML report of runs against a baseline, for a pull request or a job summary",
                  "jupyter mlops report \"latest:experiment = 'digits'\" --baseline model:digits@production "
                  "--format markdown --output report.md --assets report-assets", _report)
    sub.add_argument("runs", nargs="+", metavar="RUN", help=RUN_HELP)
    add_gate_options(sub)
    sub.add_argument("--format", choices=("markdown", "html"), required=True)
    sub.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: print it)")
    sub.add_argument("--assets", metavar="DIR",
                     help="Markdown: write the metric-history charts to DIR as SVG files, linked from the "
                          "report (HTML has them inline)")
    sub.add_argument("--all-params", action="store_true", help="list every param, not only those that changed")


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import InvalidInput
    from ..gates.check import open_for, overrides_of
    from ..gates.gates import parse_max_regression
    from ..gates.report import build_report

    output = Path(args.output) if args.output else None
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        raise InvalidInput(f"--output {output}: " + ("is a directory; name a file" if output.is_dir()
                                                      else f"there is no directory {output.parent}"))
    assets = Path(args.assets) if args.assets else None
    if assets is not None and args.format == "html":
        raise InvalidInput("--assets is for --format markdown; HTML has its charts inline")
    if assets is not None and assets.exists() and not assets.is_dir():
        raise InvalidInput(f"--assets {assets} is a file; name a directory (it is made when missing)")
    if args.format == "html" or assets is not None:  # charts will be drawn: start their engine now
        from ..render.chart_svg import start_engine

        start_engine()
    with closing(open_for(args.store)) as store:
        report = build_report(store, args.runs, args.baseline, require=args.require,
                              max_regression=parse_max_regression(args.max_regression),
                              overrides=overrides_of(args.higher_is_better, args.lower_is_better),
                              wait=args.wait, all_params=args.all_params)
    if args.format == "html":
        from ..gates.report_html import report_html

        text = report_html(report)
    else:
        from ..gates.report_markdown import report_markdown

        text = report_markdown(report, assets=assets, output=output)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK if report.passed is not False else EXIT_RUN_FAILED


def register_promote(commands: Any) -> None:
    sub = command(commands, "promote",
                  "register a run's model and move an alias to it, only when the run passes its gates",
                  "jupyter mlops promote \"latest:experiment = 'digits'\" --model digits --artifact model.joblib "
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
