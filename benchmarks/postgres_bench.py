"""The store on PostgreSQL, next to SQLite and to MLflow on the same PostgreSQL server.

    python -m benchmarks.postgres_bench [--quick]

Starts a throwaway PostgreSQL server on 127.0.0.1 (Debian's postgresql package), runs the
workloads of core.py against a fresh database for each, and stops the server.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from benchmarks.core import LIFECYCLE, MLFLOW, OURS, mlflow_available, run_snippet, shared_results
from tests.support.postgres import PostgresServer, find_bin_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs, in seconds")
    quick = parser.parse_args(argv).quick
    if find_bin_dir() is None:
        print("PostgreSQL is not installed (apt-get install -y postgresql); skipping")
        return 0
    server = PostgresServer().start()
    try:
        with_mlflow = mlflow_available()
        # Under `make bench`, core.py has just measured these workloads on SQLite: shown, not rerun.
        on_sqlite = shared_results(quick)
        if on_sqlite:
            print("(the SQLite column: benchmarks.core's figures from this `make bench`)")
        rows = []
        for name, label in (("lifecycle", "run lifecycle, median"), ("log_metric", "log_metric 1,000,000 steps, persisted"),
                            ("search", "search_runs, filter on params and metrics")):
            url = server.create_database("mlflow").replace("postgresql://", "postgresql+psycopg://")
            if name == "lifecycle":  # both tools in turn in one process, as in benchmarks.core
                both = run_snippet(LIFECYCLE, quick, store=server.create_database(), uri=url,
                                   with_mlflow=str(with_mlflow))
                pg, theirs = both["ours"], both.get("mlflow")
                if on_sqlite:
                    lite = on_sqlite[name]
                else:
                    with tempfile.TemporaryDirectory() as folder:
                        lite = run_snippet(LIFECYCLE, quick, store=folder, uri="", with_mlflow="False")["ours"]
            else:
                pg = run_snippet(OURS[name], quick, store=server.create_database())
                if on_sqlite:
                    lite = on_sqlite[name]
                else:
                    with tempfile.TemporaryDirectory() as folder:
                        lite = run_snippet(OURS[name], quick, store=folder)
                theirs = run_snippet(MLFLOW[name], quick, uri=url) if with_mlflow else None
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
