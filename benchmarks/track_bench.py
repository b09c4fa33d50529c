"""Overhead of ``%%track`` on a trivial cell, in one IPython process.

    python -m benchmarks.track_bench [--quick]

Also: the cost of file capture (``--no-io`` against the default), 10,000 ``open()`` calls of
files outside the project in a tracked cell against an untracked one, and the speed of
hashing new file content (MB/s) and of finding an unchanged file's digest in the cache.
``--quick`` runs a few cells, 1,000 ``open()`` calls and a small file, without MLflow.

The cells compared take turns (untracked, tracked, ... in every round) after a few warm-up
rounds, in a fresh IPython session per group, so a change of the machine's load meets them
alike; each figure is the median over the rounds, of the wall clock and of the process's CPU
time (every thread: the writer's and the sampler's work counts). Snapshot and execution record
included; the summary line is displayed (to a captured output) unless ``--quiet``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

WARM_UP, ROUNDS = 10, 100
OPENS_FILES, OPENS_EACH = 1000, 10  # 10,000 open() calls a cell
HASH_MB = 512


def paired_ms(shell, cells: dict[str, str], warm_up: int = WARM_UP, rounds: int = ROUNDS,
              namespace: dict | None = None) -> dict[str, tuple[float, float]]:
    """{label: (median wall ms, median CPU ms)} of ``cells``, run in turn every round."""
    shell.reset(new_session=True)
    shell.user_ns.update(namespace or {})
    wall: dict[str, list[float]] = {label: [] for label in cells}
    cpu: dict[str, list[float]] = {label: [] for label in cells}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for index in range(warm_up + rounds):
            for label, cell in cells.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                result = shell.run_cell(cell, store_history=True)
                elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
                if not result.success:
                    raise RuntimeError(f"{cell!r} failed: {result.error_in_exec or result.error_before_exec}")
                if index >= warm_up:
                    wall[label].append(elapsed)
                    cpu[label].append(elapsed_cpu)
    return {label: (statistics.median(wall[label]) * 1000, statistics.median(cpu[label]) * 1000)
            for label in cells}


def big_notebook(path: str, megabytes: float) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    image = base64.b64encode(os.urandom(int(megabytes * 1_000_000 * 3 / 4))).decode()
    notebook.cells = [nbformat.v4.new_code_cell("plot()", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": image})])]
    notebook.cells += [nbformat.v4.new_code_cell(f"step_{i} = {i}") for i in range(100)]
    nbformat.write(notebook, path)


def mlflow_reference(rounds: int = 100) -> float | None:
    """MLflow start_run + log_params + end_run (SQLite backend), median ms; None without MLflow."""
    code = textwrap.dedent("""
        import json, statistics, sys, time, mlflow
        mlflow.set_tracking_uri(f"sqlite:///{sys.argv[1]}/mlflow.db")
        def once():
            mlflow.start_run(); mlflow.log_params({"x": 1}); mlflow.end_run()
        for _ in range(min(10, ROUNDS)): once()
        times = []
        for _ in range(ROUNDS):
            t = time.perf_counter(); once(); times.append(time.perf_counter() - t)
        print(json.dumps(statistics.median(times) * 1000))
    """).replace("ROUNDS", str(rounds))
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", code, folder], capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None


def open_calls(shell, files: int, warm_up: int, rounds: int) -> dict[str, tuple[float, float]]:
    """``files`` x 10 open() calls of files outside the project (a temporary folder): untracked
    and tracked cells in turn."""
    unrelated = tempfile.mkdtemp(prefix="track-bench-unrelated-")
    for i in range(files):
        with open(os.path.join(unrelated, f"f{i}.txt"), "w") as handle:
            handle.write("x")
    paths = {"_bench_paths": [os.path.join(unrelated, f"f{i}.txt") for i in range(files)] * OPENS_EACH}
    body = "for _p in _bench_paths:\n    open(_p).close()"
    return paired_ms(shell, {"plain": body, "tracked": "%%track --quiet\n" + body}, warm_up, rounds, paths)


def hashing(megabytes: int, folder: str) -> tuple[float, float, float]:
    """MB/s hashing a new file (in the page cache, as just written), MB/s of sha256 over bytes in
    memory (the CPU's ceiling) and µs for an unchanged file's digest."""
    import hashlib

    from jupyter_mlops.store import open_store
    from jupyter_mlops.store.files import FileState, hash_file

    path = os.path.join(folder, "big.bin")
    with open(path, "wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1 << 20))
    hash_file(path)  # page cache warm, as for a file a cell just wrote
    start = time.perf_counter()
    hash_file(path)
    rate = megabytes * (1 << 20) / 1e6 / (time.perf_counter() - start)
    store = open_store()
    state = FileState.of(path)
    store.files.digest(state)
    start = time.perf_counter()
    for _ in range(100):
        store.files.digest(FileState.of(path))
    cached_us = (time.perf_counter() - start) / 100 * 1e6
    os.unlink(path)
    data = os.urandom(64 << 20)
    start = time.perf_counter()
    hashlib.sha256(data).digest()
    ceiling = len(data) / 1e6 / (time.perf_counter() - start)
    return rate, ceiling, cached_us


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs, in seconds")
    quick = parser.parse_args(argv).quick
    warm_up, rounds = (1, 3) if quick else (WARM_UP, ROUNDS)
    megabytes = 0.1 if quick else 5
    folder = tempfile.mkdtemp(prefix="track-bench-")
    os.environ["JUPYTER_MLOPS_STORE"] = os.path.join(folder, "store")
    os.environ["IPYTHONDIR"] = os.path.join(folder, "ipython")
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_cell("%load_ext jupyter_mlops")

    trivial = {"plain": "x = 1", "track": "%%track\nx = 1", "quiet": "%%track --quiet\nx = 1",
               "no_io": "%%track --quiet --no-io\nx = 1"}
    groups = [("no notebook file (snapshot from history)", paired_ms(shell, trivial, warm_up, rounds))]
    path = os.path.join(folder, "big.ipynb")
    big_notebook(path, megabytes)
    os.environ["JPY_SESSION_NAME"] = path
    groups.append((f"{megabytes:g} MB notebook file, unchanged between cells",
                   paired_ms(shell, {k: trivial[k] for k in ("plain", "track", "quiet")}, warm_up, rounds)))
    os.environ.pop("JPY_SESSION_NAME", None)
    open_files = 100 if quick else OPENS_FILES
    opens = open_calls(shell, open_files, 1 if quick else 2, 3 if quick else 20)
    hash_mb = 8 if quick else HASH_MB
    rate, ceiling, cached_us = hashing(hash_mb, folder)

    def shown(figures: dict[str, tuple[float, float]], label: str) -> str:
        (wall, cpu), (plain_wall, plain_cpu) = figures[label], figures["plain"]
        return f"{wall:.2f} ms (+{wall - plain_wall:.2f} ms; CPU +{cpu - plain_cpu:.2f} ms)"

    print(f"%%track overhead on `x = 1`, median of {rounds} rounds after {warm_up} warm-up, cells in turn "
          "(snapshot and execution record included)")
    for label, figures in groups:
        print(f"  {label}: untracked {figures['plain'][0]:.3f} ms; %%track {shown(figures, 'track')}; "
              f"%%track --quiet {shown(figures, 'quiet')}")
    figures = groups[0][1]
    print(f"  file capture on `x = 1`: %%track --quiet {figures['quiet'][0]:.2f} ms, with --no-io "
          f"{figures['no_io'][0]:.2f} ms (capture adds {figures['quiet'][0] - figures['no_io'][0]:+.2f} ms)")
    (plain_wall, plain_cpu), (tracked_wall, tracked_cpu) = opens["plain"], opens["tracked"]
    print(f"  {open_files * OPENS_EACH:,} open() calls of files outside the project: untracked "
          f"{plain_wall:.1f} ms, %%track {tracked_wall:.1f} ms (+{(tracked_wall / plain_wall - 1) * 100:.1f} %; "
          f"CPU {plain_cpu:.1f} ms and {tracked_cpu:.1f} ms, +{(tracked_cpu / plain_cpu - 1) * 100:.1f} %)")
    print(f"  hashing new content: {rate:,.0f} MB/s ({hash_mb} MB file in the page cache); "
          f"sha256 of bytes in memory: {ceiling:,.0f} MB/s; an unchanged file's digest from the cache: {cached_us:.0f} µs")
    if quick:
        print("  (--quick: the MLflow reference is left out)")
        return 0
    reference = mlflow_reference(100)
    if reference is not None:
        print(f"  MLflow start_run + log_params + end_run (SQLite): {reference:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
