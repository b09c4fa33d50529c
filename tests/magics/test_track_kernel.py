"""``%%track`` through real kernels: a Jupyter-style session whose notebook file the kernel
finds through ``JPY_SESSION_NAME``, and a notebook executed by papermill for the runner."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from jupyter_mlops.ipython_profile import enable_extension
from jupyter_mlops.store import open_store
from tests.support.kernel import Kernel, stderr_of

pytestmark = pytest.mark.slow


def test_kernel_session_records_snapshot_execution_record_params_failure_and_interrupt(tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    path = work / "analysis.ipynb"
    store_dir = tmp_path / "store"
    ipython_dir = tmp_path / "ipython"
    enable_extension("default", ipython_dir=ipython_dir)  # no %load_ext in the notebook
    env = {**os.environ, "JUPYTER_MLOPS_STORE": str(store_dir), "JPY_SESSION_NAME": str(path),
           "IPYTHONDIR": str(ipython_dir), "SECRET_TOKEN": "s3cr3t-value"}

    params_src = "lr = 0.1\nepochs = 3\noptimizer = 'adam'"
    track_src = ("%%track --name train --param model_name --param weights --metric acc --tag stage=dev\n"
                 "batch = 32\nlayers = [64, 32]\nuse_bn = True\nconfig = {'depth': 2}\n"
                 "model_name = f\"resnet{config['depth']}\"\nweights = object()\n"
                 "for step in range(1000):\n    mlops.log_metric('loss', 1.0 / (step + 1))\n"
                 "acc = 3 / 4\nprint('done')")
    fail_src = "%%track --name boom\nx = 1\nx / 0"
    slow_src = "%%track --name slow\nimport time\nfor _ in range(600):\n    time.sleep(0.05)"

    store = open_store(str(store_dir))
    kernel = Kernel(env, work)
    try:
        # Run in the order a person might: cell 3 before cell 2, and cell 4 edited after it ran.
        assert kernel.execute(params_src)["status"] == "ok"                   # [1] cell 0
        assert kernel.execute("import jupyter_mlops as mlops")["status"] == "ok"  # [2] cell 1
        assert kernel.execute("b = 2")["status"] == "ok"                        # [3] cell 3
        assert kernel.execute("a = 1")["status"] == "ok"                        # [4] cell 2, out of order
        assert kernel.execute("c = 30")["status"] == "ok"                       # [5] cell 4, edited later

        notebook = nbformat.v4.new_notebook()
        sources = [(params_src, 1), ("import jupyter_mlops as mlops", 2), ("a = 1", 4), ("b = 2", 3),
                   ("c = 3", 5), (track_src, None), (fail_src, None), (slow_src, None)]
        notebook.cells = [nbformat.v4.new_code_cell(src, execution_count=count) for src, count in sources]
        notebook.cells[0].metadata["tags"] = ["parameters"]
        nbformat.write(notebook, path)

        tracked = kernel.execute(track_src)                                     # [6]
        assert tracked["status"] == "ok", tracked
        assert "--param weights: a object is not a JSON value" in stderr_of(tracked)
        assert any("done" in o.get("text", "") for o in tracked["outputs"])
        summary = [o for o in tracked["outputs"] if o["type"] == "display_data"][-1]
        assert "text/html" in summary["data"] and "finished" in summary["data"]["text/plain"]

        failed = kernel.execute(fail_src)                                       # [7]
        assert failed["status"] == "error" and failed["ename"] == "ZeroDivisionError"

        msg_id = kernel.client.execute(slow_src)                                # [8]
        deadline = time.monotonic() + 60
        while not store.search_runs("name = 'slow'"):
            assert time.monotonic() < deadline, "the slow cell's run never started"
            time.sleep(0.1)
        time.sleep(0.3)
        kernel.manager.interrupt_kernel()
        reply = kernel.client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kernel.client.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert kernel.execute("print('still alive')")["status"] == "ok"
    finally:
        kernel.stop()

    runs = {run.name: run for run in store.search_runs()}
    assert set(runs) == {"train", "boom", "slow"}
    run = runs["train"]
    assert run.status == "finished" and run.source == "cell" and run.notebook_path == str(path)
    assert run.params == {"lr": 0.1, "epochs": 3, "optimizer": "adam", "batch": 32, "layers": [64, 32],
                          "use_bn": True, "config": {"depth": 2}, "model_name": "resnet2",
                          "weights": run.params["weights"]}
    assert run.params["weights"].startswith("<object object at")
    assert type(run.params["lr"]) is float and type(run.params["epochs"]) is int
    assert type(run.params["use_bn"]) is bool
    assert run.metrics["acc"] == 0.75 and run.tags["stage"] == "dev" and run.tags["mlops.snapshot"] == "file"
    assert list(store.metric_history(run.id, "loss").steps) == list(range(1000))
    assert len(store.metric_history(run.id, "system/cpu_percent")) >= 2

    assert store.snapshot_bytes(run.id) == path.read_bytes()
    record = store.execution_record(run.id)
    assert [c.execution_count for c in record] == [1, 2, 3, 4, 5, 6]
    assert [c.source for c in record][2:5] == ["b = 2", "a = 1", "c = 30"]
    assert [c.out_of_order for c in record] == [False, False, False, True, False, False]
    assert [c.stale for c in record] == [False, False, False, False, True, False]
    assert record[-1].source == track_src

    assert "ipykernel" in run.env["packages"] and run.env["python"]
    assert "s3cr3t-value" not in json.dumps(run.env)

    boom = runs["boom"]
    assert boom.status == "failed" and boom.error["ename"] == "ZeroDivisionError"
    assert "x / 0" in boom.error["traceback"]
    # named as its author sees it: the notebook's 7th cell, run as [7], its first line after %%track
    assert (boom.error["cell"], boom.error["execution_count"], boom.error["source_line"]) == (7, 7, "x = 1")
    assert runs["slow"].error["reason"] == "interrupted" and runs["slow"].error["cell"] == 8
    assert store.snapshot_bytes(boom.id) == path.read_bytes()
    assert runs["slow"].status == "interrupted"


def test_papermill_run_logs_into_the_runners_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    store_dir = tmp_path / "store"
    store = open_store(str(store_dir))
    store.create_run("runner0000001", name="train.ipynb", experiment="e", source="notebook",
                     params={"lr": 0.5})
    source = tmp_path / "train.ipynb"
    notebook = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    parameters = nbformat.v4.new_code_cell("lr = 0.1")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell("import jupyter_mlops as mlops\n%load_ext jupyter_mlops"),
        nbformat.v4.new_code_cell("%%track --tag step=train --metric acc\nunits = 16\n"
                                  "for i in range(10):\n    mlops.log_metric('loss', 1 / (i + 1))\nacc = lr + 0.4"),
    ]
    nbformat.write(notebook, source)
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(store_dir))
    monkeypatch.setenv("JUPYTER_MLOPS_RUN_ID", "runner0000001")
    monkeypatch.setenv("JUPYTER_MLOPS_NOTEBOOK", str(source))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))

    output = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(source), str(output), parameters={"lr": 0.5}, kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False)

    executed = nbformat.read(output, as_version=4)
    texts = json.dumps([cell.get("outputs", []) for cell in executed.cells])
    assert "logged to run runner0000001" in texts and "jupyter-mlops:" not in texts
    assert store.count_runs() == 1
    run = store.get_run("runner0000001")
    assert run.status == "running"  # ending it is the runner's job
    assert run.params == {"lr": 0.5, "units": 16}
    assert run.metrics["acc"] == pytest.approx(0.9) and run.metrics["loss"] == pytest.approx(0.1)
    assert run.tags["step"] == "train"
    assert store.snapshot_bytes(run.id) is None
