"""Model registry figures: registering, re-registering the same bytes, resolving, local copies,
alias moves, and many processes registering one model at once.

    .venv/bin/python benchmarks/registry_bench.py [--mb 200] [--processes 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupyter_mlops as mlops
from jupyter_mlops.store import forget_stores

WORKER = """
import sys
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.sqlstore import Store
store = Store(sys.argv[1])
run_id = new_run_id()
store.create_run(run_id, name="w", experiment="bench")
store.log_artifact_bytes(run_id, "model.bin", sys.argv[2].encode() * 1000)
for _ in range(int(sys.argv[3])):
    store.models.register("race", run_id, "model.bin")
"""


def timed(function, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs, in seconds")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.processes = 1, 2
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = root / "store"
        model = root / "model.bin"
        model.write_bytes(os.urandom(1 << 20) * args.mb)  # compressible only per MiB: realistic-ish
        with mlops.start_run(name="bench", store=store):
            first = timed(lambda: mlops.register_model("big", model))
            again = timed(lambda: mlops.register_model("big", model), repeat=3)
        version = mlops.get_model("big", store=store)
        copy_first = timed(version.path)
        copy_again = timed(version.path, repeat=20)
        resolve = timed(lambda: mlops.get_model("big@latest", store=store), repeat=200)
        move = timed(lambda: mlops.set_model_alias("big", "production", 1, store=store), repeat=1)
        forget_stores()
        print(f"register a {args.mb} MiB file (hash, compress, store, insert): {first:.2f} s "
              f"({args.mb / first:.0f} MiB/s)")
        print(f"register the same bytes again (hash only): {again:.2f} s ({args.mb / again:.0f} MiB/s)")
        print(f"first ModelVersion.path() (decompress, write): {copy_first:.2f} s; cached: {copy_again * 1000:.2f} ms")
        print(f"get_model('big@latest'), median of 200: {resolve * 1000:.2f} ms; alias move: {move * 1000:.1f} ms")

        race = root / "race"
        mlops.get_store(race)
        forget_stores()
        per_process = 2 if args.quick else 20
        start = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(race), f"p{i}", str(per_process)])
                   for i in range(args.processes)]
        for worker in workers:
            worker.wait()
        took = time.perf_counter() - start
        versions = mlops.get_store(race).models.get("race").latest_version
        print(f"{args.processes} processes registering one model at once: {versions} distinct versions "
              f"(each process's repeats give its existing version) in {took:.2f} s, processes included")


if __name__ == "__main__":
    main()
