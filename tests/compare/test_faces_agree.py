"""``jupyter mlops diff``, ``GET compare`` and the widgets' compare view give one answer for the
same two papermill runs: the same params and metrics differ, and the same cells, with papermill's
injected-parameters cell left out and outputs compared."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.runner import run_notebook
from jupyter_mlops.store import open_store

pytestmark = pytest.mark.slow

PARAMETERS = "lr = 0.1\nepochs = 2"
SAME = "import jupyter_mlops as mlops\nsteps = epochs * 10"
PRINTS = "print('learning rate', lr)"  # same source, output changes with lr
V1 = "mlops.log_metric('score', lr * 10)"
V2 = "mlops.log_metric('score', lr * 100)"  # a changed cell


def write(path: Path, last: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(s) for s in (SAME, PRINTS, last))]
    nbformat.write(nb, os.fspath(path))
    return path


def changed_keys(rows: list[dict[str, Any]]) -> set[str]:
    return {row["key"] for row in rows if row["differs"] and not row["key"].startswith("system/")}


async def test_cli_diff_rest_compare_and_widgets_compare_agree(
    jp_fetch: Any, jp_root_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = os.fspath(jp_root_dir / ".mlops")
    a = run_notebook(write(jp_root_dir / "v1.ipynb", V1), {"lr": 0.2}, store=location)
    b = run_notebook(write(jp_root_dir / "v2.ipynb", V2), {"lr": 0.3}, store=location)
    assert (a.status, b.status) == ("finished", "finished")
    injected = [i for i, cell in enumerate(a.snapshot().cells)
                if "injected-parameters" in cell.metadata.get("tags", [])]
    assert injected, "papermill injected a parameters cell"

    # the command line
    assert main(["diff", a.id, b.id, "--format", "json", "--store", location]) == 0
    cli = json.loads(capsys.readouterr().out)
    cli_cells = [(c["status"], c["index_a"], c["index_b"]) for c in cli["cells"]]

    # the REST API (what the sidebar reads)
    reply = await jp_fetch("mlops", "api", "compare", params={"ids": f"{a.id},{b.id}"})
    rest = json.loads(reply.body)
    rest_cells = [(c["status"], c["index_a"], c["index_b"])
                  for c in rest["cell_diff"]["cells"] if c["status"] != "unchanged"]

    # the widgets
    from jupyter_mlops.widgets.compare import RunCompare, diff_rows

    store = open_store(location)
    view = RunCompare(store)
    try:
        view.show([store.get_run(a.id), store.get_run(b.id)])
        assert view.comparison is not None and view.comparison.cell_diff is not None
        widget_cells = [(c.status, c.index_a, c.index_b) for c in view.comparison.cell_diff.changes]
        widget_params = {row.key for row in diff_rows(view.runs, "params", True, view.comparison)}
        widget_metrics = {row.key for row in diff_rows(view.runs, "metrics", True, view.comparison)}
        shown = view.cells.value
    finally:
        view.close()

    # one answer: lr differs (epochs does not), score differs ...
    assert {c["key"] for c in cli["params"]} == changed_keys(rest["params"]) == widget_params == {"lr"}
    assert ({c["key"] for c in cli["metrics"] if not c["key"].startswith("system/")}
            == changed_keys(rest["metrics"]) == widget_metrics == {"score"})
    # ... the printing cell's output and the last cell's source differ, nothing else
    assert cli_cells == rest_cells == widget_cells
    assert sorted(status for status, _, _ in cli_cells) == ["changed", "outputs differ"]
    assert not {i for _, x, y in cli_cells for i in (x, y)} & set(injected)
    rest_indexes = {c["index_a"] for c in rest["cell_diff"]["cells"]}
    assert not rest_indexes & set(injected)  # the injected cell is no user cell, on any face
    assert cli["unchanged_cells"] == 2  # the parameters cell and SAME
    outputs = next(c for c in rest["cell_diff"]["cells"] if c["status"] == "outputs differ")
    assert {"op": "-", "text": "learning rate 0.2"} in outputs["output_lines"]
    assert {"op": "+", "text": "learning rate 0.3"} in outputs["output_lines"]
    assert "outputs differ" in shown and "learning rate 0.3" in shown
