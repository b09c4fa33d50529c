"""`make demo`: a sweep and a pipeline of the digits example, tracked in its own store.

Runs `train.ipynb` over 6 parameter combinations on 2 workers, then the
prepare -> train -> evaluate pipeline, prints the leaderboard, and says how to open
JupyterLab with the runs sidebar on them.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent / "digits"


def mlops(*args: str, check: bool = True) -> int:
    command = [sys.executable, "-m", "jupyter_mlops", *args]
    print(f"\n$ jupyter mlops {' '.join(args)}", flush=True)
    code = subprocess.call(command, cwd=PROJECT)
    if check and code not in (0, 1):
        raise SystemExit(code)
    return code


def main() -> int:
    started = time.monotonic()
    (PROJECT / ".mlops").mkdir(exist_ok=True)  # the project's store: every notebook here shares it
    mlops("sweep", "train.ipynb", "--experiment", "digits", "--name", "sgd-sweep",
          "--grid", "lr=0.3,0.05,0.01", "--grid", "alpha=0.0001,0.01", "--workers", "2",
          "--sort", "-metrics.val_acc")
    mlops("pipeline", "pipeline.yaml")
    mlops("runs", "--experiment", "digits", "--filter", "metrics.val_acc IS NOT NULL",
          "--order-by", "metrics.val_acc desc", "--limit", "10")
    print(f"\nDone in {time.monotonic() - started:.0f} s. The runs are in {PROJECT / '.mlops'}.")
    print("See them in JupyterLab's MLOps sidebar (left bar): make lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
