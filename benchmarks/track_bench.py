"""Overhead of ``%%track`` on a trivial cell, in one IPython process.

    python -m benchmarks.track_bench [--quick]

Also: the cost of file capture (``--no-io`` against the default), 10,000 ``open()`` calls of
files outside the project in a tracked cell against an untracked one, and the speed of
hashing new file content (MB/s) and of finding an unchanged file's digest in the cache.
``--quick`` measures fewer cells and a smaller file.

Each variant runs 20 warm-up cells and then 200 measured ones, in a fresh IPython
session of the same process (so every variant starts with an empty history: the
execution record and a history snapshot grow with it). Snapshot and execution record
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

WARM_UP, MEASURED = 20, 200
OPENS_FILES, OPENS_EACH = 1000, 10  # 10,000 open() calls a cell
HASH_MB = 512


def median_ms(shell, cell: str, warm_up: int = WARM_UP, measured: int = MEASURED,
              namespace: dict | None = None) -> float:
    shell.reset(new_session=True)
    shell.user_ns.update(namespace or {})
    times = []
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for index in range(warm_up + measured):
            start = time.perf_counter()
            result = shell.run_cell(cell, store_history=True)
            elapsed = time.perf_counter() - start
            if not result.success:
                raise RuntimeError(f"{cell!r} failed: {result.error_in_exec or result.error_before_exec}")
            if index >= warm_up:
                times.append(elapsed)
    return statistics.median(times) * 1000


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


def open_calls(shell, warm_up: int, measured: int) -> tuple[float, float]:
    """10,000 open() calls of files outside the project (a temporary folder): untracked, tracked."""
    unrelated = tempfile.mkdtemp(prefix="track-bench-unrelated-")
    for i in range(OPENS_FILES):
        with open(os.path.join(unrelated, f"f{i}.txt"), "w") as handle:
            handle.write("x")
    paths = {"_bench_paths": [os.path.join(unrelated, f"f{i}.txt") for i in range(OPENS_FILES)] * OPENS_EACH}
    body = "for _p in _bench_paths:\n    open(_p).close()"
    plain = median_ms(shell, body, warm_up, measured, paths)
    tracked = median_ms(shell, "%%track --quiet\n" + body, warm_up, measured, paths)
    return plain, tracked


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
    warm_up, measured = (2, 10) if quick else (WARM_UP, MEASURED)
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

    rows = []
    for label in ("no notebook file (snapshot from history)", "5 MB notebook file, unchanged between cells"):
        if label.startswith("5 MB"):
            path = os.path.join(folder, "big.ipynb")
            big_notebook(path, megabytes)
            os.environ["JPY_SESSION_NAME"] = path
        plain = median_ms(shell, "x = 1", warm_up, measured)
        tracked = median_ms(shell, "%%track\nx = 1", warm_up, measured)
        quiet = median_ms(shell, "%%track --quiet\nx = 1", warm_up, measured)
        rows.append((label, plain, tracked, quiet))

    os.environ.pop("JPY_SESSION_NAME", None)
    no_io = median_ms(shell, "%%track --quiet --no-io\nx = 1", warm_up, measured)
    with_io = median_ms(shell, "%%track --quiet\nx = 1", warm_up, measured)
    opens_plain, opens_tracked = open_calls(shell, 2, 5 if quick else 20)
    rate, ceiling, cached_us = hashing(64 if quick else HASH_MB, folder)

    print(f"%%track overhead on `x = 1`, median of {measured} cells after {warm_up} warm-up "
          "(snapshot and execution record included)")
    for label, plain, tracked, quiet in rows:
        print(f"  {label}: untracked {plain:.3f} ms; %%track {tracked:.2f} ms (+{tracked - plain:.2f} ms); "
              f"%%track --quiet {quiet:.2f} ms (+{quiet - plain:.2f} ms)")
    print(f"  file capture on `x = 1`: %%track --quiet {with_io:.2f} ms, with --no-io {no_io:.2f} ms "
          f"(capture adds {with_io - no_io:+.2f} ms)")
    print(f"  {OPENS_FILES * OPENS_EACH:,} open() calls of files outside the project: untracked "
          f"{opens_plain:.1f} ms, %%track {opens_tracked:.1f} ms "
          f"(+{(opens_tracked / opens_plain - 1) * 100:.1f} %)")
    print(f"  hashing new content: {rate:,.0f} MB/s ({64 if quick else HASH_MB} MB file in the page cache); "
          f"sha256 of bytes in memory: {ceiling:,.0f} MB/s; an unchanged file's digest from the cache: {cached_us:.0f} µs")
    reference = mlflow_reference(3 if quick else 100)
    if reference is not None:
        print(f"  MLflow start_run + log_params + end_run (SQLite): {reference:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
