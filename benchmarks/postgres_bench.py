"""The store on PostgreSQL, next to SQLite and to MLflow on the same PostgreSQL server.

    python benchmarks/postgres_bench.py

Starts a throwaway PostgreSQL server on 127.0.0.1 (Debian's postgresql package), runs the
workloads of core.py against a fresh database for each, and stops the server.
"""

from __future__ import annotations

import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))

from core import MLFLOW, OURS, mlflow_available, run_snippet  # noqa: E402
from mlops_test_postgres import PostgresServer, find_bin_dir  # noqa: E402


def main() -> int:
    if find_bin_dir() is None:
        print("PostgreSQL is not installed (apt-get install -y postgresql); skipping")
        return 0
    server = PostgresServer().start()
    try:
        with_mlflow = mlflow_available()
        rows = []
        for name, label in (("lifecycle", "run lifecycle, median"), ("log_metric", "log_metric 1,000,000 steps, persisted"),
                            ("search", "search_runs, filter on params and metrics")):
            pg = run_snippet(OURS[name], store=server.create_database())
            with tempfile.TemporaryDirectory() as folder:
                lite = run_snippet(OURS[name], store=folder)
            theirs = None
            if with_mlflow:
                url = server.create_database("mlflow").replace("postgresql://", "postgresql+psycopg://")
                theirs = run_snippet(MLFLOW[name], uri=url)
            rows.append((label, pg, lite, theirs))
        print("workload | jupyter-mlops on PostgreSQL | jupyter-mlops on SQLite | MLflow on the same PostgreSQL")
        for label, pg, lite, theirs in rows:
            if "median_ms" in pg and "runs" in pg:
                cells = [f"{pg['median_ms']:.1f} ms over {pg['runs']:,} runs",
                         f"{lite['median_ms']:.1f} ms over {lite['runs']:,} runs",
                         f"{theirs['median_ms']:.1f} ms over {theirs['runs']:,} runs" if theirs else "-"]
            elif "median_ms" in pg:
                cells = [f"{pg['median_ms']:.2f} ms", f"{lite['median_ms']:.2f} ms",
                         f"{theirs['median_ms']:.1f} ms" if theirs else "-"]
            else:
                cells = [f"{pg['points_per_s']:,.0f} points/s", f"{lite['points_per_s']:,.0f} points/s",
                         (f"{theirs['points_per_s']:,.0f}/s one by one, "
                          f"{theirs['batched_points_per_s']:,.0f}/s log_batch") if theirs else "-"]
            print(" | ".join([label, *cells]))
    finally:
        server.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
