"""Strict JSON from every ``--format json``, ``--workers 0`` refused, and a run stopped while
its kernel starts leaves its cells unrun in ``--output``."""

from __future__ import annotations

import json
import os
import signal
import sys

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.store import open_store
from tests.support.runner import signal_cli, start_cli, wait_until, write_notebook


def _strict(text: str):
    """Parse as strict JSON: a bare NaN or Infinity is an error, as in every JSON parser but Python's."""

    def refuse(name: str):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _runs_with_odd_numbers(store):
    runs = []
    for loss in (float("nan"), float("inf")):
        with mlops.start_run("odd", params={"lr": 0.1 if loss != loss else 0.2}, store=store.location) as run:
            run.log_metric("loss", loss)
            run.log_metric("floor", float("-inf"))
        runs.append(run.id)
    return runs


def test_every_json_format_is_strict_json(capsys, store):
    nan_run, inf_run = _runs_with_odd_numbers(store)
    assert main(["runs", "--format", "json", "--store", store.location]) == 0
    listed = {run["id"]: run for run in _strict(capsys.readouterr().out)}
    assert listed[nan_run]["metrics"] == {"loss": "NaN", "floor": "-Infinity"}
    assert listed[inf_run]["metrics"]["loss"] == "Infinity"

    assert main(["show", nan_run, "--format", "json", "--store", store.location]) == 0
    assert _strict(capsys.readouterr().out)["metrics"]["loss"] == "NaN"

    assert main(["diff", nan_run, inf_run, "--format", "json", "--store", store.location]) == 0
    diff = capsys.readouterr().out
    _strict(diff)
    assert '"NaN"' in diff and '"Infinity"' in diff


@pytest.mark.parametrize("workers", ["0", "-2"])
def test_sweep_refuses_workers_below_one(capsys, store, tmp_path, workers):
    path = write_notebook(tmp_path / "nb.ipynb", "a = 1", "b = a")
    code = main(["sweep", os.fspath(path), "--grid", "a=1,2", "--workers", workers, "--store", store.location])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--workers is how many notebooks run at once: a whole number of at least 1, got {workers}" in err
    assert "Traceback" not in err
    assert store.count_runs() == 0  # refused before anything ran or was recorded


def _slow_kernel(tmp_path):
    """A kernel that takes a long while to start (as one on a busy machine or a cold conda env)."""
    spec = tmp_path / "share" / "jupyter" / "kernels" / "slowstart"
    spec.mkdir(parents=True)
    argv = ["/bin/sh", "-c", f"sleep 30; exec {sys.executable} -m ipykernel_launcher -f {{connection_file}}",
            "{connection_file}"]
    spec.joinpath("kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "slow start", "language": "python"}))
    return tmp_path / "share" / "jupyter"


def test_ctrl_c_while_the_kernel_starts_marks_no_cell_completed(store, tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", "a = 1", "b = a + 1", "print(b)")
    output = tmp_path / "out.ipynb"
    env = {**os.environ, "JUPYTER_PATH": os.fspath(_slow_kernel(tmp_path))}
    process = start_cli("run", os.fspath(path), "--kernel", "slowstart", "--output", os.fspath(output),
                        "--store", store.location, env=env)
    reader = open_store(store.location)
    assert wait_until(lambda: bool(reader.search_runs("status = 'running'")), timeout=60)
    assert wait_until(output.exists, timeout=30)  # papermill wrote the notebook: the kernel is awaited
    _, err = signal_cli(process, signal.SIGINT, group=True)
    assert process.returncode == 130, err
    run = reader.search_runs()[0]
    assert run.status == "interrupted"
    assert run.error["evalue"] == "interrupted by Ctrl-C before it started"
    assert "cell" not in run.error
    written = nbformat.read(os.fspath(output), as_version=4)
    statuses = [cell.metadata.papermill["status"] for cell in written.cells]
    assert statuses == ["pending", "pending", "pending"]
    assert all(not cell.outputs for cell in written.cells)
