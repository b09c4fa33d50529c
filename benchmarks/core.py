"""Foundation benchmarks: this project next to MLflow on the same workloads.

    python -m benchmarks.core                 # both (MLflow where it is installed)
    python -m benchmarks.core --only ours     # or --only mlflow
    python -m benchmarks.core --quick         # tiny sizes, seconds: checks that it still runs

Each workload runs in a fresh process per tool so neither warms the other's caches, but for
the run lifecycle, where both take turns in one process (the ratio under the same load).
Prints one line per workload: ours, MLflow, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Each snippet prints a JSON object of measurements. {store} is a fresh temp directory.
OURS = {
    "import": None,  # measured as a whole process
    "log_metric": """
        import time, jupyter_mlops as mlops
        N = {points}
        run = mlops.start_run(store={store!r})
        log = mlops.log_metric
        t = time.perf_counter()
        for i in range(N):
            log("loss", i * 0.5)
        mlops.end_run()
        elapsed = time.perf_counter() - t
        assert len(mlops.get_store({store!r}).metric_history(run.id, "loss")) == N
        print(json.dumps({{"points_per_s": N / elapsed, "points": N}}))
    """,
    "search": """
        import time, statistics, random, array, jupyter_mlops as mlops
        from jupyter_mlops.store.ids import new_run_id
        from jupyter_mlops.store.sqlstore import NewRun, WriteBatch
        store = mlops.get_store({store!r})
        rng = random.Random(0)
        RUNS = {runs}
        # Filled 500 runs a transaction, as the tracking writer batches (what is timed is the search).
        batch = WriteBatch()
        for i in range(RUNS):
            run_id, now = new_run_id(), time.time()
            batch.creates[run_id] = NewRun(name=f"run-{{i}}", experiment="bench", env={{}}, started_at=now)
            batch.params[run_id] = {{f"p{{k}}": rng.randint(0, 9) for k in range(10)}}
            for k in range(10):
                batch.series[(run_id, f"m{{k}}")] = (array.array("q", [0]), array.array("d", [rng.random()]),
                                                    array.array("d", [now]))
            batch.ends[run_id] = ("finished", now, None)
            if len(batch.ends) == 500 or i == RUNS - 1:
                store.write_batch(batch)
                batch = WriteBatch()
        if "://" in {store!r}:  # PostgreSQL: the statistics autovacuum would gather within a minute
            store.analyze()
        query = "params.p1 = 3 and metrics.m1 > 0.5"
        found = store.search_runs(query, limit=100)
        times = []
        for _ in range({searches}):
            t = time.perf_counter(); store.search_runs(query, limit=100); times.append(time.perf_counter() - t)
        print(json.dumps({{"median_ms": statistics.median(times) * 1000, "runs": RUNS, "matched": len(found)}}))
    """,
    "history": """
        import time, jupyter_mlops as mlops
        N = {points}
        with mlops.start_run(store={store!r}) as run:
            for i in range(N):
                mlops.log_metric("loss", i * 0.5)
        store = mlops.get_store({store!r})
        times = []
        for _ in range(5):
            t = time.perf_counter(); h = store.metric_history(run.id, "loss"); times.append(time.perf_counter() - t)
            assert len(h) == N
        print(json.dumps({{"seconds": min(times), "points": N}}))
    """,
    "first_use": """
        import time
        t = time.perf_counter()
        import jupyter_mlops as mlops
        import jupyter_mlops.tracking
        import jupyter_mlops.store.sqlstore  # the store (and SQLAlchemy) load on first use since tracking/ is lazy
        loaded = time.perf_counter()
        with mlops.start_run(store={store!r} + "/fresh"):
            mlops.log_metric("x", 1.0)
        done = time.perf_counter()
        print(json.dumps({{"ms": (done - t) * 1000, "after_import_ms": (done - loaded) * 1000}}))
    """,
}

MLFLOW = {
    "log_metric": """
        import time, mlflow, logging
        from mlflow.entities import Metric
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri({uri!r})
        client = mlflow.MlflowClient()
        with mlflow.start_run() as run:
            N = {their_points}
            t = time.perf_counter()
            for i in range(N):
                mlflow.log_metric("loss", i * 0.5, step=i)
            single = N / (time.perf_counter() - t)
            B, BATCHES = {their_batch}, {their_batches}
            t = time.perf_counter()
            now = int(time.time() * 1000)
            for b in range(BATCHES):
                client.log_batch(run.info.run_id, metrics=[Metric("batched", i * 0.5, now, b * B + i) for i in range(B)])
            batched = B * BATCHES / (time.perf_counter() - t)
        print(json.dumps({{"points_per_s": single, "batched_points_per_s": batched}}))
    """,
    "search": """
        import time, statistics, random, mlflow, logging
        from mlflow.entities import Metric, Param
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri({uri!r})
        client = mlflow.MlflowClient()
        exp = client.create_experiment("bench")
        rng = random.Random(0)
        RUNS = {their_runs}
        now = int(time.time() * 1000)
        def values(i):
            return ({{f"p{{k}}": str(rng.randint(0, 9)) for k in range(10)}},
                    {{f"m{{k}}": rng.random() for k in range(10)}})
        # One run through the API, copied in one transaction (benchmarks/_mlflow_fill.py): what
        # is timed is the search, and 1,000 runs through the API took minutes.
        params, metrics = values(0)
        run = client.create_run(exp)
        client.log_batch(run.info.run_id, params=[Param(k, v) for k, v in params.items()],
                         metrics=[Metric(k, v, now, 0) for k, v in metrics.items()])
        client.set_terminated(run.info.run_id)
        from benchmarks._mlflow_fill import clone_runs
        clone_runs({uri!r}, run.info.run_id, RUNS - 1, lambda i: values(i + 1))
        query = "params.p1 = '3' and metrics.m1 > 0.5"
        found = client.search_runs([exp], query, max_results=100)
        times = []
        for _ in range({their_searches}):
            t = time.perf_counter(); client.search_runs([exp], query, max_results=100); times.append(time.perf_counter() - t)
        print(json.dumps({{"median_ms": statistics.median(times) * 1000, "runs": RUNS, "matched": len(found)}}))
    """,
    "history": """
        import time, mlflow, logging
        from mlflow.entities import Metric
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri({uri!r})
        client = mlflow.MlflowClient()
        N, B = {their_history}, {their_batch}
        now = int(time.time() * 1000)
        with mlflow.start_run() as run:  # the first batch through the API, the rest copied in (_mlflow_fill)
            client.log_batch(run.info.run_id, metrics=[Metric("loss", i * 0.5, now, i) for i in range(B)])
        from benchmarks._mlflow_fill import add_points
        add_points({uri!r}, run.info.run_id, "loss", [(i * 0.5, now, i) for i in range(B, N)])
        t = time.perf_counter()
        h = client.get_metric_history(run.info.run_id, "loss")
        assert len(h) == N, len(h)
        print(json.dumps({{"seconds": time.perf_counter() - t, "points": N}}))
    """,
    "first_use": """
        import time
        t = time.perf_counter()
        import mlflow, logging
        import mlflow.store.tracking.sqlalchemy_store
        loaded = time.perf_counter()
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri({uri!r})
        with mlflow.start_run():
            mlflow.log_metric("x", 1.0)
        done = time.perf_counter()
        print(json.dumps({{"ms": (done - t) * 1000, "after_import_ms": (done - loaded) * 1000}}))
    """,
}


# The run lifecycle of both tools in one process, taking turns (a round of ours, then one of
# MLflow's), so both meet the same load, caches and interpreter: their ratio is the figure.
LIFECYCLE = """
    import time, statistics, logging, jupyter_mlops as mlops
    store = mlops.get_store({store!r})
    def ours():
        with mlops.start_run(store=store):
            for k in range(5): mlops.log_param(f"p{{k}}", k * 0.1)
            for k in range(5): mlops.log_metric(f"m{{k}}", k * 0.5)
    tools = [("ours", ours, {lifecycles} // {rounds})]
    if {with_mlflow}:
        import mlflow
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri({uri!r})
        def theirs():
            with mlflow.start_run():
                for k in range(5): mlflow.log_param(f"p{{k}}", k * 0.1)
                for k in range(5): mlflow.log_metric(f"m{{k}}", k * 0.5)
        tools.append(("mlflow", theirs, {their_lifecycles} // {rounds}))
    wall = {{name: [] for name, _, _ in tools}}
    cpu = {{name: [] for name, _, _ in tools}}
    for _, once, _ in tools:
        once()  # the first run creates the store
    for _ in range({rounds}):
        for name, once, count in tools:
            for _ in range(count):
                t, c = time.perf_counter(), time.process_time()
                once()
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
    print(json.dumps({{name: {{"median_ms": statistics.median(wall[name]) * 1000,
                               "cpu_ms": statistics.median(cpu[name]) * 1000, "lifecycles": len(wall[name])}}
                       for name in wall}}))
"""

#: Workload sizes: the full ones, and ``--quick`` ones that only show every snippet still runs.
SIZES = {
    "full": {"lifecycles": 1000, "rounds": 20, "points": 1_000_000, "runs": 10_000, "searches": 30,
             "their_lifecycles": 60, "their_points": 300, "their_batch": 1000, "their_batches": 20,
             "their_runs": 1000, "their_searches": 10, "their_history": 100_000},
    "quick": {"lifecycles": 4, "rounds": 2, "points": 2_000, "runs": 50, "searches": 2,
              "their_lifecycles": 2, "their_points": 5, "their_batch": 10, "their_batches": 2,
              "their_runs": 5, "their_searches": 1, "their_history": 100},
}


def run_snippet(snippet: str, quick: bool = False, **fmt: str) -> dict:
    return run_snippets([(snippet, fmt)], quick)[0]


def run_snippets(snippets: list[tuple[str, dict[str, str]]], quick: bool = False) -> list[dict]:
    """Run snippets in one fresh process, each in a function of its own; their JSON results.
    The full benchmark runs one snippet a process; ``--quick`` runs all of a tool's in one, so
    its check that they still run costs one interpreter start a tool, not one a workload."""
    sizes = SIZES["quick" if quick else "full"]
    parts = ["import json"]
    for index, (snippet, fmt) in enumerate(snippets):
        body = textwrap.indent(textwrap.dedent(snippet).format(**sizes, **fmt), "    ")
        parts.append(f"def _snippet_{index}():\n{body}\n_snippet_{index}()")
    out = subprocess.run([sys.executable, "-c", "\n".join(parts)], capture_output=True, text=True, timeout=1800,
                         cwd=os.path.dirname(HERE))  # the repository root: benchmarks._mlflow_fill imports
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    lines = out.stdout.strip().splitlines()[-len(snippets):]
    return [json.loads(line) for line in lines]


def import_time(module: str, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - t)
    baseline = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - t)
    return statistics.median(times), statistics.median(baseline)


def mlflow_available() -> bool:
    """Whether MLflow and its SQL tracking store import here (``.venv-bench`` has them; a test
    venv may have mlflow-skinny, or nothing)."""
    probe = "import mlflow, mlflow.store.tracking.sqlalchemy_store"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


def share_results(figures: dict) -> None:
    """Under ``benchmarks/run`` (which sets ``BENCH_RESULTS`` to a folder of its own), leave
    our SQLite figures for ``postgres_bench``, which shows them beside PostgreSQL's instead of
    measuring the same workloads again."""
    folder = os.environ.get("BENCH_RESULTS")
    if folder and os.path.isdir(folder) and all(figures[name] for name in ("lifecycle", "log_metric", "search")):
        with open(os.path.join(folder, "core.json"), "w") as file:
            json.dump(figures, file)


def shared_results(quick: bool) -> dict | None:
    """The figures :func:`share_results` left in this ``benchmarks/run``, at the same sizes."""
    folder = os.environ.get("BENCH_RESULTS")
    try:
        with open(os.path.join(folder or "", "core.json")) as file:
            figures = json.load(file)
    except (OSError, ValueError):
        return None
    return figures if figures.get("quick") == quick else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("ours", "mlflow"))
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs, in seconds")
    args = parser.parse_args(argv)
    quick = args.quick
    with_mlflow = args.only != "ours" and mlflow_available()
    with_ours = args.only != "mlflow"
    if args.only != "ours" and not with_mlflow:
        print("(MLflow is not installed here: `make bench` installs it in .venv-bench)")

    rows: list[tuple[str, str, str, str]] = []

    def fmt_ratio(ours: float | None, theirs: float | None, higher_is_better: bool) -> str:
        if not ours or not theirs:
            return "-"
        ratio = ours / theirs if higher_is_better else theirs / ours
        return f"{ratio:,.1f}x"

    if with_ours or with_mlflow:
        repeat = 1 if quick else 5
        ours_t = import_time("jupyter_mlops", repeat) if with_ours else None
        # --quick leaves MLflow's import out: each costs seconds to half a minute on a busy machine.
        theirs_t = import_time("mlflow", repeat) if with_mlflow and not quick else None
        rows.append(("import (wall, python -c)",
                     f"{ours_t[0]:.3f} s (python alone {ours_t[1]:.3f} s)" if ours_t else "-",
                     f"{theirs_t[0]:.3f} s" if theirs_t else "-",
                     fmt_ratio(ours_t[0] if ours_t else None, theirs_t[0] if theirs_t else None, False)))

    workloads = ("log_metric", "search", "history", "first_use")
    batched: dict[str, tuple[dict | None, dict | None]] = {}
    both_runs: dict = {}

    def lifecycle(d: str) -> tuple[str, dict[str, str]]:
        return LIFECYCLE, {"store": os.path.join(d, "ours") if with_ours else d, "uri": f"sqlite:///{d}/mlflow.db",
                           "with_mlflow": str(with_mlflow)}

    if quick:  # one process a tool for all its workloads, the lifecycle in the last (see run_snippets)
        with tempfile.TemporaryDirectory() as d:
            ours_all = run_snippets([(OURS[name], {"store": os.path.join(d, name)}) for name in workloads]
                                    + ([] if with_mlflow else [lifecycle(d)]),
                                    quick) if with_ours else [None] * len(workloads)
            # One MLflow database for all but first use (each new one runs MLflow's migrations: seconds).
            theirs_all = run_snippets([(MLFLOW[name], {"uri": f"sqlite:///{d}/{'first' if name == 'first_use' else 'mlflow'}.db"})
                                       for name in workloads]
                                      + [lifecycle(d)], quick) if with_mlflow else [None] * len(workloads)
        last = (theirs_all if with_mlflow else ours_all)[len(workloads):]
        both_runs = last[0] if last and last[0] else {}
        batched = {name: (o, m) for name, o, m in zip(workloads, ours_all, theirs_all, strict=False)}

    def both(name: str) -> tuple[dict | None, dict | None]:
        if name in batched:
            return batched[name]
        ours = theirs = None
        if with_ours:
            with tempfile.TemporaryDirectory() as d:
                ours = run_snippet(OURS[name], quick, store=d)
        if with_mlflow:
            with tempfile.TemporaryDirectory() as d:
                theirs = run_snippet(MLFLOW[name], quick, uri=f"sqlite:///{d}/mlflow.db")
        return ours, theirs

    if not both_runs:
        with tempfile.TemporaryDirectory() as d:
            snippet, fmt = lifecycle(d)
            both_runs = run_snippet(snippet, quick, **fmt)
    o, m = both_runs.get("ours") if with_ours else None, both_runs.get("mlflow")
    shared = {"quick": quick, "lifecycle": o}
    rows.append(("run lifecycle (start, 5 params, 5 metrics, end), median, interleaved in one process",
                 f"{o['median_ms']:.2f} ms (CPU {o['cpu_ms']:.2f} ms)" if o else "-",
                 f"{m['median_ms']:.1f} ms (CPU {m['cpu_ms']:.1f} ms)" if m else "-",
                 fmt_ratio(o and o["median_ms"], m and m["median_ms"], False)))
    o, m = both("log_metric")
    shared["log_metric"] = o
    rows.append((f"log_metric loop, {o['points'] if o else SIZES['full']['points']:,} steps, persisted",
                 f"{o['points_per_s']:,.0f} points/s" if o else "-",
                 f"{m['points_per_s']:,.0f}/s one by one, {m['batched_points_per_s']:,.0f}/s log_batch" if m else "-",
                 fmt_ratio(o and o["points_per_s"], m and m["batched_points_per_s"], True) + " vs log_batch"))
    o, m = both("search")
    shared["search"] = o
    share_results(shared)
    rows.append(("search_runs, filter on params and metrics",
                 f"{o['median_ms']:.1f} ms over {o['runs']:,} runs" if o else "-",
                 f"{m['median_ms']:.1f} ms over {m['runs']:,} runs" if m else "-",
                 fmt_ratio(o and o["median_ms"], m and m["median_ms"], False) + " (MLflow on 10x fewer runs)"))
    o, m = both("history")
    rows.append(("read a metric history",
                 f"{o['seconds']:.3f} s for {o['points']:,} points" if o else "-",
                 f"{m['seconds']:.3f} s for {m['points']:,} points" if m else "-",
                 fmt_ratio(o and o["seconds"] / o["points"], m and m["seconds"] / m["points"], False) + " per point"))
    o, m = both("first_use")
    rows.append(("first use of an empty store: create + first run (modules loaded)",
                 f"{o['after_import_ms']:.0f} ms" if o else "-", f"{m['after_import_ms']:.0f} ms" if m else "-",
                 fmt_ratio(o and o["after_import_ms"], m and m["after_import_ms"], False)))
    rows.append(("first use of an empty store, with the imports it needs",
                 f"{o['ms']:.0f} ms" if o else "-", f"{m['ms']:.0f} ms" if m else "-",
                 fmt_ratio(o and o["ms"], m and m["ms"], False)))

    width = max(len(r[0]) for r in rows)
    print(f"{'workload'.ljust(width)} | jupyter-mlops | MLflow (SQLite) | faster by")
    for name, ours_text, theirs_text, ratio in rows:
        print(f"{name.ljust(width)} | {ours_text} | {theirs_text} | {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
