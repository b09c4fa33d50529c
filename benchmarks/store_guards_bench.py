"""What the store's guards against hostile and broken input cost.

    python benchmarks/store_guards_bench.py

- ``untrusted()`` on a snapshot: a notebook without trust keys is only scanned (its bytes
  returned as they are); one with them is parsed, stripped and written out again.
- SQLite's ``PRAGMA quick_check``, run once per process before its first write, on stores
  of growing size.
- A list page (``search_runs(previews=True)``) of runs holding a 10 MB param, against the
  same page with whole values.
"""

from __future__ import annotations

import array
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat  # noqa: E402

import jupyter_mlops as mlops  # noqa: E402
from jupyter_mlops.store import forget_stores, open_store  # noqa: E402
from jupyter_mlops.store.ids import new_run_id  # noqa: E402
from jupyter_mlops.store.snapshots import untrusted  # noqa: E402
from jupyter_mlops.store.sqlstore import NewRun, Store, WriteBatch  # noqa: E402


def best_ms(function, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def notebook(megabytes: float, trusted: bool) -> bytes:
    nb = nbformat.v4.new_notebook()
    text = "x = 1  # some code\n" * 50
    while len(nbformat.writes(nb)) < megabytes * 1e6:
        cell = nbformat.v4.new_code_cell(text)
        cell.outputs = [nbformat.v4.new_output("stream", text="\x1b[31mred\x1b[0m output\n" * 200)]
        if trusted:
            cell.metadata["trusted"] = True
        nb.cells.extend([cell] * 20)
    return nbformat.writes(nb).encode()


def fill(store: Store, first: int, last: int) -> None:
    """Runs ``first`` to ``last`` of a param pair and a 100-step metric each, 500 runs a
    transaction through ``Store.write_batch``, as the tracking writer writes a short run (one
    ``start_run`` at a time took minutes for 10,000; what is timed is the check of the store).
    Each run holds the environment ``start_run`` records (about half of the database's size)."""
    from jupyter_mlops.environment import capture_environment

    env = capture_environment(fresh_git=False)
    batch = WriteBatch()
    for index in range(first, last):
        run_id, now = new_run_id(), time.time()
        batch.creates[run_id] = NewRun(name=f"r{index}", experiment="default", env=env, started_at=now)
        batch.params[run_id] = {"lr": index, "opt": "adam"}
        steps = array.array("q", range(100))
        batch.series[(run_id, "loss")] = (steps, array.array("d", (1 / (step + 1) for step in steps)),
                                          array.array("d", [now] * 100))
        batch.ends[run_id] = ("finished", now, None)
        if len(batch.ends) == 500 or index == last - 1:
            store.write_batch(batch)
            batch = WriteBatch()


def main() -> None:
    quick = "--quick" in sys.argv[1:]  # tiny sizes: check that it runs, in seconds
    warnings.filterwarnings("ignore")  # nbformat's notes on the repeated cells of the test notebooks
    for size in (0.01,) if quick else (0.01, 5.0):
        plain, trusted = notebook(size, False), notebook(size, True)
        print(f"untrusted() on a {len(plain) / 1e6:.2f} MB notebook without trust: "
              f"{best_ms(lambda p=plain: untrusted(p)):.3f} ms; with trusted cells: "
              f"{best_ms(lambda t=trusted: untrusted(t), 5):.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        location = os.path.join(tmp, "store")
        store = open_store(location)
        done = 0
        for target in (20,) if quick else (1_000, 10_000):
            fill(store, done, target)
            done = target
            forget_stores()
            store = open_store(location)
            size = (Path(location) / "mlops.db").stat().st_size / 1e6
            conn_ms = best_ms(store._check_integrity, 3)
            print(f"quick_check once per process, {target} runs ({size:.1f} MB mlops.db): {conn_ms:.1f} ms")
        with mlops.start_run(name="big", params={"blob": "v" * (10_000 if quick else 10_000_000)}, store=store):
            pass
        whole = best_ms(lambda: store.search_runs(limit=50), 5)
        cut = best_ms(lambda: store.search_runs(limit=50, previews=True), 5)
        print(f"a page of 50 runs, one with a 10 MB param: whole values {whole:.1f} ms, previews {cut:.1f} ms")


if __name__ == "__main__":
    main()
