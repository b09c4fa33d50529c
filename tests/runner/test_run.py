"""`jupyter mlops run`: one notebook execution is one tracked run, with real kernels."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import nbformat

from jupyter_mlops.cli import main
from jupyter_mlops.runner import run_notebook
from jupyter_mlops.store import open_store
from tests.support.runner import SLEEPING_CELL, kernels_of, sleeping_runs, wait_until

TRAIN = (
    "import os, jupyter_mlops as mlops\n"
    "for step in range(50):\n"
    "    mlops.log_metric('loss', 1 / (step + 1))\n"
    "mlops.log_metric('acc', 1 - lr / epochs)\n"
    "mlops.output('notebook', os.environ['JUPYTER_MLOPS_NOTEBOOK'])\n"
    "mlops.output('cwd', os.getcwd())\n"
    "print('acc', 1 - lr / epochs)"
)


def test_a_run_logs_into_its_own_run_and_keeps_the_executed_notebook(
    capsys, store, notebook, tmp_path
):
    path = notebook("train", "lr = 0.1\nepochs = 2", TRAIN)
    output = tmp_path / "out" / "train-out.ipynb"
    output.parent.mkdir()
    code = main(
        [
            "run",
            os.fspath(path),
            "-p",
            "lr",
            "1",
            "-p",
            "epochs",
            "4",
            "--name",
            "first",
            "--experiment",
            "churn",
            "--output",
            os.fspath(output),
            "--store",
            store.location,
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    run = store.search_runs()[0]
    assert printed.startswith(f"run {run.id} finished")
    assert (run.name, run.experiment, run.source, run.status) == (
        "first",
        "churn",
        "notebook",
        "finished",
    )
    assert run.params == {"lr": 1.0, "epochs": 4}
    assert isinstance(run.params["lr"], float)
    assert run.metrics["acc"] == 0.75
    assert (
        len(run.metric_history("loss")) == 50
    )  # the last points were written before the kernel ended
    assert run.outputs == {"notebook": str(path.resolve()), "cwd": str(path.parent.resolve())}
    assert run.notebook_path == str(path.resolve())
    snapshot = run.snapshot()
    assert snapshot.metadata.papermill.parameters == {"lr": 1.0, "epochs": 4}
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in snapshot.cells)
    assert "acc 0.75" in snapshot.cells[-1].outputs[0]["text"]
    written = nbformat.read(os.fspath(output), as_version=4)
    assert written.cells[-1].outputs == snapshot.cells[-1].outputs
    assert kernels_of(store.location) == []  # ended before the command returned


def test_a_failing_cell_fails_the_run_and_keeps_the_partial_notebook(
    capsys, store, notebook, tmp_path
):
    path = notebook("fails", "x = 1", "y = x + 1", "z = y / 0", "print('never')")
    output = tmp_path / "failed.ipynb"
    code = main(["run", os.fspath(path), "--output", os.fspath(output), "--store", store.location])
    printed = capsys.readouterr().out
    assert code == 1
    run = store.search_runs()[0]
    assert run.status == "failed"
    assert run.error["ename"] == "ZeroDivisionError"
    assert run.error["evalue"] == "division by zero"
    assert "ZeroDivisionError" in run.error["traceback"]
    assert "\x1b[" not in run.error["traceback"]
    snapshot = run.snapshot()
    assert run.error["cell"] == 3  # the author's third cell; the snapshot also holds error markers
    failed_cell = snapshot.cells[run.error["cell_index"]]
    assert failed_cell.source == "z = y / 0"
    assert failed_cell.outputs[0]["output_type"] == "error"
    assert snapshot.cells[-1].outputs == []  # the cell after the failure did not run
    assert (
        nbformat.read(os.fspath(output), as_version=4).cells[run.error["cell_index"]].source
        == "z = y / 0"
    )
    assert "ZeroDivisionError: division by zero" in printed


def test_a_notebook_past_its_timeout_fails_with_reason_timeout(store, notebook):
    path = notebook("slow", "seconds = 60", "import time\ntime.sleep(seconds)", "print('done')")
    run = run_notebook(path, timeout=1.5, store=store.location)
    assert run.status == "failed"
    assert run.error["reason"] == "timeout"
    assert "1.5 s" in run.error["evalue"]
    assert run.snapshot().cells[run.error["cell_index"]].source.startswith("import time")
    assert run.duration < 30
    assert kernels_of(store.location) == []


def test_a_kernel_slow_to_exit_is_ended_instead_of_waited_for(store, notebook, tmp_path):
    marker = tmp_path / "exited-politely"
    path = notebook(
        "lingers",
        None,
        "import atexit, time\n"
        f"atexit.register(lambda: (time.sleep(30), open({str(marker)!r}, 'w').close()))",
    )
    run = run_notebook(path, store=store.location)
    assert run.status == "finished"
    assert kernels_of(store.location) == []
    assert not marker.exists()  # its 30 s exit handler was not waited for


def test_ctrl_c_interrupts_the_notebook_and_keeps_what_ran(store, notebook):
    path = notebook(
        "slow",
        "seconds = 60",
        "print('started', flush=True)",
        SLEEPING_CELL,
        "print('never')",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlops", "run", os.fspath(path), "--store", store.location],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        reader = open_store(store.location)
        assert wait_until(sleeping_runs(reader, 1), timeout=60)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    run = reader.search_runs()[0]
    assert run.status == "interrupted" and run.error["reason"] == "interrupted"
    assert run.error["evalue"] == "interrupted by Ctrl-C"
    assert run.error["source_line"] == SLEEPING_CELL.splitlines()[0] and run.error["cell"] == 3
    cells = {cell.source: cell for cell in run.snapshot().cells}
    assert cells["print('started', flush=True)"].outputs[0]["text"] == "started\n"
    assert cells["print('never')"].outputs == []
    assert kernels_of(store.location) == []
    assert f"run {run.id} interrupted" in out.decode()


def test_unknown_parameters_are_warned_about_and_injected(capsys, store, notebook):
    path = notebook("nb", "lr = 0.1", "import jupyter_mlops as mlops\nmlops.output('seed', seed)")
    code = main(
        ["run", os.fspath(path), "-p", "seed", "7", "-y", "{lr: 2}", "--store", store.location]
    )
    captured = capsys.readouterr()
    assert code == 0, captured
    assert "warning: parameter 'seed' is not set in the parameters cell" in captured.err
    run = store.search_runs()[0]
    assert run.outputs == {"seed": 7}
    assert run.params == {"lr": 2.0, "seed": 7}


def test_parameters_from_a_file(store, notebook, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("layers: [8, 4]\nname: 12\n")
    path = notebook(
        "nb",
        "layers = [1]\nname = 'x'",
        "import jupyter_mlops as mlops\nmlops.output('shape', [layers, name])",
    )
    code = main(["run", os.fspath(path), "-f", os.fspath(params), "--store", store.location])
    assert code == 0
    assert store.search_runs()[0].outputs == {"shape": [[8, 4], "12"]}


def test_a_notebook_without_kernelspec_runs_on_python3(store, notebook):
    path = notebook("bare", None, "print('ran')", kernel=None)
    run = run_notebook(path, store=store.location)
    assert run.status == "finished"
    assert run.tags["kernel"] == "python3"
    assert run.snapshot().cells[-1].outputs[0]["text"] == "ran\n"


def test_a_kernel_that_cannot_start_fails_the_run(store, notebook, tmp_path):
    path = notebook("nb", "x = 1", "x")
    job_cwd = tmp_path / "gone"
    job_cwd.mkdir()
    from jupyter_mlops.runner.execute import execute_job
    from jupyter_mlops.runner.targets import prepare_target

    job = prepare_target(path, cwd=job_cwd).job(
        "1m8gxxxxxxxxxx", {}, store=store.location, name="nb"
    )
    job_cwd.rmdir()  # as on a Dask worker that cannot see the directory
    result = execute_job(job)
    assert result.status == "failed"
    run = store.get_run(job.run_id)
    assert run.status == "failed" and "could not start" in run.error["evalue"]


def test_a_kernel_that_dies_while_starting_is_launched_again(store, notebook, tmp_path):
    marker = tmp_path / "first-launch-died"
    kernels = tmp_path / "jupyter-data" / "kernels" / "flaky"  # JUPYTER_DATA_DIR of the test
    kernels.mkdir(parents=True)
    starter = (
        "import os, sys\n"
        f"if not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        "    sys.exit('address already in use')\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', *sys.argv[1:]])\n"
    )
    spec = {
        "argv": [sys.executable, "-c", starter, "-f", "{connection_file}"],
        "display_name": "flaky",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec))
    run = run_notebook(notebook("nb", None, "print('ran')", kernel="flaky"), store=store.location)
    assert marker.exists()
    assert run.status == "finished"
    assert run.snapshot().cells[-1].outputs[0]["text"] == "ran\n"


def test_a_run_records_the_parameters_cell_defaults_beside_those_passed(store, notebook):
    path = notebook("defaults", "lr = 0.1\nepochs = 2\nlayers = [8, 4]\ndata = '-'.join(['a', 'b'])", "x = 1")
    run = store.get_run(run_notebook(path, {"lr": 0.5}, store=store.location).id)
    assert run.status == "finished"
    assert run.params == {"lr": 0.5, "epochs": 2, "layers": [8, 4]}  # a computed default is not a param
