"""``jupyter mlops …`` (also ``jupyter-mlops``): the command-line face.

Each sub-command is a thin layer over functions the REST API and widgets use too.
Exit codes: 0 all finished; 1 some run failed; 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._version import __version__
from .errors import MlopsError
from .runner.commands import RUNNER_COMMANDS

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="LOCATION",
                        help="store directory or postgresql:// URL (default: JUPYTER_MLOPS_STORE, "
                             "else the nearest .mlops folder, else the git top, else the Jupyter data dir)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jupyter mlops",
        description="Track, run and compare notebook runs.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  jupyter mlops runs --filter \"metrics.acc > 0.9\" --order-by \"metrics.acc desc\"\n"
               "  jupyter mlops show 1m8gdm5tpbsc5x",
    )
    parser.add_argument("--version", action="version", version=f"jupyter-mlops {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in _COMMANDS:
        register(commands)
    return parser


def _command(commands: Any, name: str, help: str, example: str, handler: Handler) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_store(sub)
    sub.set_defaults(handler=handler)
    return sub


# --- runs -----------------------------------------------------------------------------


def _register_runs(commands: Any) -> None:
    sub = _command(commands, "runs", "list runs as a table, JSON or CSV",
                   "jupyter mlops runs --experiment churn --filter \"params.lr < 0.1\" --format csv", _runs)
    sub.add_argument("--experiment", "-e", help="only this experiment (default: all)")
    sub.add_argument("--filter", help="filter expression, e.g. \"metrics.acc >= 0.9 and status = 'finished'\"")
    sub.add_argument("--order-by", help="e.g. \"metrics.acc desc, started_at\" (default: newest first)")
    sub.add_argument("--limit", type=int, default=50, help="at most this many runs (default 50; 0 for all)")
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _runs(args: argparse.Namespace) -> int:
    from .store import open_store
    from .views import runs_csv, runs_json, runs_table

    store = open_store(args.store)
    # the table shows long values cut (its cells are narrow anyway); JSON and CSV are exports: whole
    runs = store.search_runs(args.filter, experiment=args.experiment, order_by=args.order_by,
                             limit=args.limit or None, previews=args.format == "table")
    render = {"table": runs_table, "json": runs_json, "csv": runs_csv}[args.format]
    sys.stdout.write(render(runs))
    return EXIT_OK


def _register_show(commands: Any) -> None:
    sub = _command(commands, "show", "show one run: params, metrics, tags, environment, execution record",
                   "jupyter mlops show 1m8gdm5tpbsc5x --format json", _show)
    sub.add_argument("run_id", metavar="RUN_ID", help="a run id (a unique prefix of 4+ characters will do)")
    sub.add_argument("--format", choices=("text", "json"), default="text")


def _show(args: argparse.Namespace) -> int:
    from .store import open_store
    from .views import run_detail_json, run_detail_text

    run = open_store(args.store).find_run(args.run_id)
    sys.stdout.write(run_detail_json(run) if args.format == "json" else run_detail_text(run))
    return EXIT_OK


def _register_exchange(commands: Any) -> None:
    for verb, help, example in (
        ("export", "write runs into MLflow (params, metric histories, tags, snapshot, artifacts)",
         "jupyter mlops export mlflow --tracking-uri sqlite:///mlflow.db --experiment churn"),
        ("import", "bring MLflow runs into this store",
         "jupyter mlops import mlflow --tracking-uri http://localhost:5000 --experiment churn"),
    ):
        sub = _command(commands, verb, help, example, _exchange)
        sub.add_argument("tool", choices=("mlflow",), help="the other tool (mlflow)")
        sub.add_argument("--tracking-uri", required=True, help="MLflow tracking URI")
        sub.add_argument("--experiment", "-e", help="only this experiment (default: all)")
        if verb == "export":
            sub.add_argument("--filter", help="only runs matching this filter expression")


def _exchange(args: argparse.Namespace) -> int:
    from .exchange.mlflow import export_runs, import_runs
    from .store import open_store

    store = open_store(args.store)
    if args.command == "export":
        report = export_runs(store, args.tracking_uri, experiment=args.experiment, filter=args.filter)
        sys.stdout.write(report.summary("exported"))
    else:
        report = import_runs(store, args.tracking_uri, experiment=args.experiment)
        sys.stdout.write(report.summary("imported"))
    return EXIT_OK


def _register_enable(commands: Any) -> None:
    sub = _command(commands, "enable", "load the track and runs magics in every kernel of an IPython profile",
                   "jupyter mlops enable --profile default", _enable)
    sub.add_argument("--profile", default="default", help="IPython profile to change (default: default)")


def _enable(args: argparse.Namespace) -> int:
    from .profile import enable_extension

    print(enable_extension(args.profile).message)
    return EXIT_OK


_COMMANDS: list[Callable[[Any], None]] = [_register_runs, _register_show, _register_exchange,
                                          _register_enable, *RUNNER_COMMANDS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except MlopsError as exc:
        print(f"jupyter mlops {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
