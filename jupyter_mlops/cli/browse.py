"""``jupyter mlops runs`` and ``jupyter mlops show``: the runs of a store as a table, JSON or CSV,
and one run in full."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, command


def register_runs(commands: Any) -> None:
    sub = command(commands, "runs", "list runs as a table, JSON or CSV",
                   "jupyter mlops runs --experiment churn --filter \"params.lr < 0.1\" --format csv", _runs)
    sub.add_argument("--experiment", "-e", help="only this experiment (default: all)")
    sub.add_argument("--filter", help="filter expression, e.g. \"metrics.acc >= 0.9 and status = 'finished'\"")
    sub.add_argument("--order-by", help="e.g. \"metrics.acc desc, started_at\" (default: newest first)")
    sub.add_argument("--limit", type=int, default=50, help="at most this many runs (default 50; 0 for all)")
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _runs(args: argparse.Namespace) -> int:
    from ..render.export import runs_csv, runs_json
    from ..render.text import runs_table
    from ..store import open_store

    store = open_store(args.store)
    # the table shows long values cut (its cells are narrow anyway); JSON and CSV are exports: whole
    runs = store.search_runs(args.filter, experiment=args.experiment, order_by=args.order_by,
                             limit=args.limit or None, previews=args.format == "table")
    render = {"table": runs_table, "json": runs_json, "csv": runs_csv}[args.format]
    sys.stdout.write(render(runs))
    return EXIT_OK


def register_show(commands: Any) -> None:
    sub = command(commands, "show", "show one run: params, metrics, tags, environment, execution record",
                   "jupyter mlops show 1m8gdm5tpbsc5x --format json", _show)
    sub.add_argument("run_id", metavar="RUN_ID", help="a run id (a unique prefix of 4+ characters will do)")
    sub.add_argument("--format", choices=("text", "json"), default="text")


def _show(args: argparse.Namespace) -> int:
    from ..render.export import run_detail_json
    from ..render.text import run_detail_text
    from ..store import open_store

    run = open_store(args.store).find_run(args.run_id)
    sys.stdout.write(run_detail_json(run) if args.format == "json" else run_detail_text(run))
    return EXIT_OK
