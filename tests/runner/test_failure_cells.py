"""A failed or stopped run names the cell as the notebook's author sees it: its position among
the notebook's own cells (papermill's injected cell and error markers not counted), its
execution count and its first line, in every face."""

from __future__ import annotations

import json
import os

import nbformat

from jupyter_mlops.cli import main
from jupyter_mlops.runner import run_notebook, sweep
from tests.support.runner import write_notebook


def test_a_failing_one_cell_notebook_names_cell_1(capsys, store, tmp_path):
    path = write_notebook(tmp_path / "one.ipynb", None, "x = 1 / 0")
    code = main(["run", os.fspath(path), "--store", store.location])
    printed = capsys.readouterr().out
    assert code == 1
    run = store.search_runs()[0]
    assert run.error["cell"] == 1
    assert run.error["execution_count"] == 1
    assert run.error["source_line"] == "x = 1 / 0"
    assert 'ZeroDivisionError: division by zero (cell 1 [1]: "x = 1 / 0")' in printed
    # the snapshot (papermill's output, with its error markers) is indexed by cell_index
    assert run.snapshot().cells[run.error["cell_index"]].source == "x = 1 / 0"

    main(["show", run.id, "--store", store.location])
    shown = capsys.readouterr().out
    assert 'ZeroDivisionError: division by zero (cell 1 [1]: "x = 1 / 0")' in shown
    main(["show", run.id, "--format", "json", "--store", store.location])
    assert json.loads(capsys.readouterr().out)["error"]["cell"] == 1


def test_injected_parameters_and_markdown_cells_are_counted_as_the_author_sees_them(store, tmp_path):
    path = write_notebook(
        tmp_path / "train.ipynb", "lr = 0.1", "y = lr * 2", "import math\nz = math.log(-y)",
        markdown="# Training\nSome words.",
    )
    run = run_notebook(path, {"lr": 0.5}, store=store.location)
    assert run.status == "failed"
    # markdown (1), parameters (2), y (3), the failing cell (4); the injected cell is not one
    assert run.error["cell"] == 4
    assert run.error["execution_count"] == 4  # parameters, injected, y, then this one
    assert run.error["source_line"] == "import math"
    snapshot = run.snapshot()
    assert snapshot.cells[run.error["cell_index"]].source.startswith("import math")
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in snapshot.cells)


def test_a_saved_papermill_output_keeps_its_injected_cell_as_its_own(store, tmp_path):
    """A notebook that is itself a papermill output holds an injected cell the author sees."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("lr = 0.1")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("# Parameters\nlr = 0.2\n")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells += [params, injected, nbformat.v4.new_code_cell("raise ValueError(lr)")]
    path = tmp_path / "output_again.ipynb"
    nbformat.write(nb, os.fspath(path))
    run = run_notebook(path, store=store.location)
    assert (run.error["cell"], run.error["source_line"]) == (3, "raise ValueError(lr)")


def test_a_timeout_names_the_cell_that_was_running(capsys, store, tmp_path):
    path = write_notebook(
        tmp_path / "slow.ipynb", "seconds = 60", "print('warming up')", "import time\ntime.sleep(seconds)"
    )
    # long enough for a kernel to start on a loaded machine, so the sleeping cell is reached
    code = main(["run", os.fspath(path), "--timeout", "12", "--store", store.location])
    printed = capsys.readouterr().out
    assert code == 1
    run = store.search_runs()[0]
    assert run.error["reason"] == "timeout"
    assert (run.error["cell"], run.error["execution_count"]) == (3, 3)
    assert run.error["source_line"] == "import time"
    assert "Kernel died" not in json.dumps(run.error) and "DeadKernel" not in run.error["ename"]
    assert 'Timeout: the notebook did not finish within 12 s (cell 3 [3]: "import time")' in printed


def test_sweep_summaries_name_the_users_cell(capsys, store, tmp_path):
    path = write_notebook(tmp_path / "grid.ipynb", "d = 1", "r = 1 / d")
    result = sweep(path, {"d": [1, 0]}, store=store.location)
    failed = [c for c in result.children() if c.status == "failed"]
    assert len(failed) == 1 and failed[0].error["cell"] == 2
    code = main(["sweep", os.fspath(path), "--grid", "d=0", "--store", store.location])
    assert code == 1
    assert '(cell 2 [3]: "r = 1 / d")' in capsys.readouterr().out


def test_pipeline_summary_names_the_users_cell(capsys, store, tmp_path):
    write_notebook(tmp_path / "prep.ipynb", "rows = 1", "assert rows > 5, 'too few rows'")
    spec = tmp_path / "flow.yaml"
    spec.write_text("name: flow\nsteps:\n  prep: {notebook: prep.ipynb}\n")
    code = main(["pipeline", os.fspath(spec), "--store", store.location])
    out = capsys.readouterr().out
    assert code == 1
    assert 'AssertionError: too few rows (cell 2 [2]: "assert rows > 5' in out  # the table cuts it


def test_rest_payloads_carry_the_cell_and_the_line(store, tmp_path):
    from jupyter_mlops.server.payloads import run_detail, runs_page

    path = write_notebook(tmp_path / "one.ipynb", None, "x = 1 / 0")
    run = run_notebook(path, store=store.location)
    detail = run_detail(store, run.id)
    assert detail["error"]["cell"] == 1 and detail["error"]["source_line"] == "x = 1 / 0"
    assert detail["error"]["summary"] == 'ZeroDivisionError: division by zero (cell 1 [1]: "x = 1 / 0")'
    row = runs_page(store, experiment=None, filter=None, order_by=None, limit=10, offset=0)["runs"][0]
    assert row["error"]["summary"] == detail["error"]["summary"]
