"""`make demo`: a sweep and a pipeline of the digits example, tracked in its own store.

Runs `train.ipynb` over 6 parameter combinations on 2 workers, then the
prepare -> train -> evaluate pipeline (which reads `data/raw.csv` and registers its model as
`digits@candidate`), changes the raw data and runs the pipeline again (prepare and train run
again and say why), prints the leaderboard and the model's lineage (data -> prepare -> train ->
model version), and ends with the CI gate: the `check` of the best run against the pipeline's
model, as a pull request's CI job would run it.
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


def drop_raw_rows(path: Path, count: int) -> None:
    """New data: the raw table without its last ``count`` rows."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-count]))
    print(f"\n# {path.relative_to(PROJECT)}: {count} rows fewer; the next pipeline run notices", flush=True)


def best_run() -> str:
    """The id of the digits run with the best validation accuracy."""
    import jupyter_mlops

    store = jupyter_mlops.get_store(str(PROJECT / ".mlops"))
    runs = store.search_runs("metrics.val_acc IS NOT NULL and status = 'finished'", experiment="digits",
                             order_by="metrics.val_acc desc", limit=1)
    if not runs:
        raise SystemExit("no finished digits run has a val_acc metric")
    return runs[0].id


def main() -> int:
    started = time.monotonic()
    (PROJECT / ".mlops").mkdir(exist_ok=True)  # the project's store: every notebook here shares it
    subprocess.check_call([sys.executable, "make_raw.py"], cwd=PROJECT)  # data/raw.csv, read by prepare
    mlops("sweep", "train.ipynb", "--experiment", "digits", "--name", "sgd-sweep",
          "--grid", "lr=0.3,0.05,0.01", "--grid", "alpha=0.0001,0.01", "--workers", "2",
          "--sort", "-metrics.val_acc")
    mlops("pipeline", "pipeline.yaml")
    drop_raw_rows(PROJECT / "data" / "raw.csv", 100)
    mlops("pipeline", "pipeline.yaml", "--dry-run")
    mlops("pipeline", "pipeline.yaml")
    mlops("runs", "--experiment", "digits", "--filter", "metrics.val_acc IS NOT NULL",
          "--order-by", "metrics.val_acc desc", "--limit", "10")
    mlops("lineage", "models:/digits@candidate")
    best = best_run()
    mlops("check", best, "--baseline", "model:digits@candidate", "--max-regression", "metrics.val_acc=0.01")
    print(f"\nDone in {time.monotonic() - started:.0f} s. The runs are in {PROJECT / '.mlops'}.")
    print("See them in JupyterLab's MLOps sidebar (left bar): make lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
