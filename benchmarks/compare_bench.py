"""The cell diff of two notebooks: ``jupyter_mlops.compare`` against nbdime's ``diff_notebooks``.

    python -m benchmarks.compare_bench [--cells N] [--quick]

Two notebooks of N code cells (default 200) with 8-line sources and a stream output each; every
tenth cell's source and every seventh cell's output differ. Prints each tool's import time (a
fresh process) and the median time of one diff. nbdime is measured where it is installed
(``pip install nbdime``); it is never a dependency.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import textwrap
import time

DIFF = textwrap.dedent("""
    import json, statistics, sys, time
    a, b, tool, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    da, db = open(a, "rb").read(), open(b, "rb").read()
    if tool == "ours":
        from jupyter_mlops.compare import diff_snapshots
        run = lambda: diff_snapshots("a", da, "b", db)
    else:
        import warnings, nbformat
        from nbdime import diff_notebooks
        warnings.simplefilter("ignore")
        na, nb = nbformat.reads(da.decode(), 4), nbformat.reads(db.decode(), 4)
        run = lambda: diff_notebooks(na, nb)
    run()
    times = []
    for _ in range(rounds):
        t = time.perf_counter(); run(); times.append(time.perf_counter() - t)
    print(json.dumps(statistics.median(times)))
""")


def notebook(cells: int, changed: bool) -> dict:
    rng = random.Random(1 if changed else 0)
    out = []
    for i in range(cells):
        lines = [f"x{i}_{k} = {rng.randint(0, 3) if changed and i % 10 == 0 else k}" for k in range(8)]
        text = f"{i} {rng.randint(1, 9) if changed and i % 7 == 0 else 0}\n"
        out.append({"cell_type": "code", "id": f"c{i}", "source": "\n".join(lines), "metadata": {},
                    "execution_count": i, "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]})
    return {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def available(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def import_seconds(module: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20 cells, one round: check that it runs")
    args = parser.parse_args(argv)
    cells, rounds, repeat = (20, 1, 1) if args.quick else (args.cells, 5, 5)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for changed in (False, True):
            path = f"{folder}/{'b' if changed else 'a'}.ipynb"
            with open(path, "w") as file:
                json.dump(notebook(cells, changed), file)
            paths.append(path)
        tools = [("jupyter_mlops.compare", "ours")]
        if available("nbdime"):
            tools.append(("nbdime", "nbdime"))
        else:
            print("(nbdime is not installed here: `pip install nbdime` to compare with it)")
        print(f"cell diff of two {cells}-cell notebooks | import (fresh process) | one diff, median of {rounds}")
        for module, tool in tools:
            done = subprocess.run([sys.executable, "-c", DIFF, *paths, tool, str(rounds)],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
            seconds = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {module:22} | {import_seconds(module, repeat):.3f} s | {seconds * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
