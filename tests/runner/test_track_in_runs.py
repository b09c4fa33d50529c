"""``%%track`` cells inside notebooks executed headlessly, by ``jupyter mlops run`` and by plain
papermill: the run they log into has an execution record, and their params hold the
notebook's parameters cell's values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.store import open_store
from tests.support.runner import write_notebook

TRACKED = (
    "%%track --name train --metric acc\n"
    "units = 16\n"
    "for step in range(epochs):\n"
    "    mlops.log_metric('loss', lr / (step + 1), step=step)\n"
    "acc = 0.5 + lr"
)


def _notebook(path: Path) -> Path:
    return write_notebook(
        path,
        "lr = 0.1  # learning rate\nepochs = 3\nname = 'base'",
        "import jupyter_mlops as mlops\n%load_ext jupyter_mlops",
        TRACKED,
        markdown="# Train\nThe parameters come first.",
    )


def test_the_runners_run_has_the_execution_record(store, tmp_path):
    path = _notebook(tmp_path / "train.ipynb")
    assert main(["run", os.fspath(path), "-p", "lr", "0.2", "--store", store.location]) == 0
    run = store.search_runs()[0]
    assert store.count_runs() == 1  # the %%track cell logged into the runner's run
    assert run.metrics["acc"] == pytest.approx(0.7)
    record = run.execution_record()
    assert [cell.execution_count for cell in record] == [1, 2, 3, 4]
    assert record[0].source.startswith("lr = 0.1")  # the parameters cell
    assert "lr = 0.2" in record[1].source  # papermill's injected cell
    assert record[-1].source == TRACKED
    assert not any(cell.stale or cell.out_of_order for cell in record)


def test_under_plain_papermill_the_tracked_run_has_the_parameters_cells_values(
    store, tmp_path, monkeypatch
):
    import papermill

    path = _notebook(tmp_path / "train.ipynb")
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", store.location)
    monkeypatch.setenv("IPYTHONDIR", os.fspath(tmp_path / "ipython"))
    papermill.execute_notebook(
        os.fspath(path), os.fspath(tmp_path / "out.ipynb"), parameters={"lr": 0.5},
        kernel_name="python3", cwd=os.fspath(tmp_path), progress_bar=False,
    )
    runs = open_store(store.location).search_runs()
    assert len(runs) == 1
    run = runs[0]
    assert run.source == "cell" and run.status == "finished"
    # lr as papermill injected it; epochs and name from the parameters cell; units from the cell
    assert run.params == {"lr": 0.5, "epochs": 3, "name": "base", "units": 16}
    assert run.metrics["acc"] == pytest.approx(1.0)
    assert run.execution_record()[-1].source == TRACKED
