"""``jupyter mlops export mlflow`` and ``jupyter mlops import mlflow``: runs to and from MLflow."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, command


def register_exchange(commands: Any) -> None:
    for verb, help, example in (
        ("export", "write runs into MLflow (params, metric histories, tags, snapshot, artifacts)",
         "jupyter mlops export mlflow --tracking-uri sqlite:///mlflow.db --experiment churn"),
        ("import", "bring MLflow runs into this store",
         "jupyter mlops import mlflow --tracking-uri http://localhost:5000 --experiment churn"),
    ):
        sub = command(commands, verb, help, example, _exchange)
        sub.add_argument("tool", choices=("mlflow",), help="the other tool (mlflow)")
        sub.add_argument("--tracking-uri", required=True, help="MLflow tracking URI")
        sub.add_argument("--experiment", "-e", help="only this experiment (default: all)")
        if verb == "export":
            sub.add_argument("--filter", help="only runs matching this filter expression")


def _exchange(args: argparse.Namespace) -> int:
    from ..exchange.mlflow import export_runs, import_runs
    from ..store import open_store

    store = open_store(args.store)
    if args.command == "export":
        report = export_runs(store, args.tracking_uri, experiment=args.experiment, filter=args.filter)
        sys.stdout.write(report.summary("exported"))
    else:
        report = import_runs(store, args.tracking_uri, experiment=args.experiment)
        sys.stdout.write(report.summary("imported"))
    return EXIT_OK
