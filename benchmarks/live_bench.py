"""How soon a reader sees a running ``%%track`` cell: a real kernel runs a cell that logs a
metric every 100 ms (its value is the time it was logged) while this process reads the store
as the REST API does (``get_run``), every 0.1 s. Prints how long until the run and its params
appear, and how old the newest value a reader sees is (the sidebar polls every second and should
see new values within 2 s).

    python -m benchmarks.live_bench [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

CELL = """%%track --name live --quiet
lr = 0.05
epochs = 40
import time
deadline = time.time() + {seconds}
while time.time() < deadline:
    mlops.log_metric('logged_at', time.time())
    time.sleep(0.1)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the cell logs")
    parser.add_argument("--quick", action="store_true", help="a 2 s cell")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds

    from jupyter_mlops.store import open_store
    from tests.support.kernel import Kernel

    with tempfile.TemporaryDirectory() as tmp:
        location = os.path.join(tmp, "store")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
        env["JUPYTER_MLOPS_STORE"] = location
        kernel = Kernel(env, Path(tmp))
        try:
            kernel.execute("%load_ext jupyter_mlops\nimport jupyter_mlops as mlops")
            store = open_store(location)
            sent = time.time()
            msg_id = kernel.start(CELL.format(seconds=seconds))
            first_seen = params_seen = None
            ages: list[float] = []
            while True:
                runs = store.search_runs()
                if runs:
                    run = store.get_run(runs[0].id)
                    now = time.time()
                    first_seen = first_seen or now
                    if params_seen is None and run.params:
                        params_seen = now
                    if run.status != "running":
                        break
                    if "logged_at" in run.metrics:
                        ages.append(now - run.metrics["logged_at"])
                time.sleep(0.1)
            kernel.reply(msg_id)
        finally:
            kernel.stop()
    print(f"live %%track cell logging every 100 ms for {seconds:g} s, read every 0.1 s from another process")
    print(f"  run listed after      {(first_seen or sent) - sent:6.3f} s")
    print(f"  params shown after    {(params_seen or sent) - sent:6.3f} s  (with the run's first batch)")
    if ages:
        print(f"  newest value's age    median {statistics.median(ages):.3f} s, max {max(ages):.3f} s "
              f"over {len(ages)} reads")


if __name__ == "__main__":
    main()
