"""Opening the run browser (``RunBrowser``) over 10,000 runs in a fresh store; target ≤ 1 s.

    python -m benchmarks.widgets_bench [--runs N] [--quick]

Fills a temporary store with runs (10 params and 10 metrics each), then opens the browser in
a fresh process, twice: the first time with the imports it needs (ipywidgets, SQLAlchemy),
and again once they are loaded; then the same in a fresh IPython kernel, where every widget
also sends its comm message. Paging builds one page of rows whatever the number of runs;
the total comes from one count.
"""

from __future__ import annotations

import argparse
import array
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time

TARGET_S = 1.0

OPEN = textwrap.dedent("""
    import json, sys, time
    t = time.perf_counter()
    from jupyter_mlops.widgets import RunBrowser
    browser = RunBrowser(store=sys.argv[1])
    cold = time.perf_counter() - t
    assert browser.page.total == int(sys.argv[2]), browser.page.total
    rows = len(browser.table.shown_run_ids)
    browser.close()
    t = time.perf_counter()
    browser = RunBrowser(store=sys.argv[1])
    warm = time.perf_counter() - t
    t = time.perf_counter()
    browser.go_to_page(200)
    browser.sort_by("metrics.m3")
    browser.set_filter("params.p1 = 3 and metrics.m1 > 0.5")
    actions = (time.perf_counter() - t) / 3
    print(json.dumps({"cold_s": cold, "warm_s": warm, "rows": rows, "action_s": actions}))
""")


IN_KERNEL = textwrap.dedent("""
    import time
    t = time.perf_counter()
    from jupyter_mlops.widgets import RunBrowser
    browser = RunBrowser(store={store!r})
    print(time.perf_counter() - t)
""")


def open_in_kernel(location: str) -> float:
    """Seconds to import and open the browser in a new kernel (its start not counted)."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        printed: list[str] = []

        def keep(message: dict) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                raise RuntimeError("\n".join(message["content"]["traceback"]))

        client.execute_interactive(IN_KERNEL.format(store=location), timeout=120, output_hook=keep)
        return float("".join(printed).split()[-1])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def fill(location: str, runs: int) -> None:
    from jupyter_mlops.store import open_store
    from jupyter_mlops.store.ids import new_run_id
    from jupyter_mlops.store.sqlstore import WriteBatch

    store = open_store(location)
    rng = random.Random(0)
    batch = WriteBatch()
    for i in range(runs):
        run_id = new_run_id()
        store.create_run(
            run_id,
            name=f"run-{i}",
            experiment=f"exp-{i % 5}",
            params={f"p{k}": rng.randint(0, 9) for k in range(10)},
            env={},
        )
        now = time.time()
        for k in range(10):
            batch.series[(run_id, f"m{k}")] = (
                array.array("q", [0]),
                array.array("d", [rng.random()]),
                array.array("d", [now]),
            )
        batch.ends[run_id] = ("finished", now, None)
        if len(batch.ends) == 500 or i == runs - 1:
            store.write_batch(batch)
            batch = WriteBatch()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="50 runs: check that it runs, in seconds")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 50
    with tempfile.TemporaryDirectory() as folder:
        location = os.path.join(folder, "store")
        started = time.perf_counter()
        fill(location, args.runs)
        print(
            f"filled a fresh store with {args.runs:,} runs in {time.perf_counter() - started:.1f} s"
        )
        result = subprocess.run(
            [sys.executable, "-c", OPEN, location, str(args.runs)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        figures = json.loads(result.stdout)
        in_kernel = open_in_kernel(location)
    verdict = "within" if figures["cold_s"] <= TARGET_S else "OVER"
    print(
        f"open RunBrowser over {args.runs:,} runs ({figures['rows']} rows built): "
        f"{figures['cold_s']:.3f} s in a fresh process, imports included ({verdict} the "
        f"{TARGET_S:.0f} s target); {figures['warm_s']:.3f} s once loaded"
    )
    print(f"the same in a new kernel, widget comm messages included: {in_kernel:.3f} s")
    print(f"page / sort / filter, each: {figures['action_s']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
