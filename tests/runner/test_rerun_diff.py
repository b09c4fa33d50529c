"""`rerun` executes the stored snapshot; `diff` compares two runs."""

from __future__ import annotations

import json
import os
import time

from jupyter_mlops.cli import main
from jupyter_mlops.runner import rerun, run_notebook
from tests.support.runner import wait_until

V1 = "import jupyter_mlops as mlops\nmlops.log_metric('score', lr * 10)\nprint('v1', lr)"
V2 = "import jupyter_mlops as mlops\nmlops.log_metric('score', lr * 100)\nprint('v2', lr)"


def test_rerun_executes_the_snapshot_with_overridden_params(capsys, store, notebook):
    path = notebook("model", "lr = 0.1\nepochs = 3", V1)
    original = run_notebook(path, {"lr": 0.5}, store=store.location, name="base")
    notebook("model", "lr = 0.1\nepochs = 3", V2)  # the file changed since
    code = main(["rerun", original.id, "-p", "epochs", "9", "--store", store.location])
    assert code == 0, capsys.readouterr()
    again = store.search_runs(f"tags.rerun_of = '{original.id}'")[0]
    assert again.params == {"lr": 0.5, "epochs": 9}  # the run's own value, one overridden
    assert again.metrics == {"score": 5.0}  # the snapshot's code, not the file's
    assert again.name == "base epochs=9"  # named from what changed
    assert again.notebook_path == original.notebook_path
    assert again.snapshot().cells[-1].outputs[0]["text"] == "v1 0.5\n"


def test_background_rerun_returns_once_the_run_exists(store, notebook):
    path = notebook("model", "lr = 0.1", "import time\ntime.sleep(1)\n" + V1)
    original = run_notebook(path, store=store.location)
    started = time.monotonic()
    new_id = rerun(original.id, {"lr": 0.3}, store=store.location, background=True)
    assert time.monotonic() - started < 5
    assert store.get_run(new_id).status == "running"
    assert wait_until(lambda: store.get_run(new_id).status != "running", timeout=90)
    finished = store.get_run(new_id)
    assert finished.status == "finished" and finished.metrics == {"score": 3.0}
    assert finished.tags["rerun_of"] == original.id and finished.pid != os.getpid()


def test_diff_shows_params_metrics_and_changed_cells(capsys, store, notebook):
    a = run_notebook(notebook("v1", "lr = 0.1", V1), {"lr": 0.2}, store=store.location)
    b = run_notebook(notebook("v2", "lr = 0.1", V2), {"lr": 0.3}, store=store.location)
    assert main(["diff", a.id, b.id, "--store", store.location]) == 0
    text = capsys.readouterr().out
    assert "lr  0.2 -> 0.3" in text
    assert "score  2 -> 30  (+28)" in text
    assert "-mlops.log_metric('score', lr * 10)" in text
    assert "+mlops.log_metric('score', lr * 100)" in text
    assert main(["diff", a.id, b.id, "--format", "json", "--store", store.location]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["params"] == [{"key": "lr", "a": 0.2, "b": 0.3, "status": "changed", "delta": None}]
    assert [c["status"] for c in data["cells"]] == ["changed"]
    assert (
        data["unchanged_cells"] == 1
    )  # the parameters cell; papermill's injected cell is left out
