"""Headless (papermill, ``jupyter mlops run``, no front end): no controls are shown, and the
code runs once with its own values or those the runner injected, as a pipeline step needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.controls.api import HeadlessControls
from jupyter_mlops.store.sqlstore import Store
from tests.support.controls import Shell

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELL = (
    '%%track --controls --metric acc\nepochs = 3\nlr = 0.1\nopt = "adam"  # choices: adam, sgd\n'
    "acc = epochs * lr\nprint('ran', epochs, lr, opt)\n"
)


@pytest.fixture
def headless(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> Shell:
    """The in-process shell as it is: no kernel, so no front end to show widgets."""
    monkeypatch.delenv("JUPYTER_MLOPS_HEADLESS")
    return shell


def test_without_a_front_end_the_cell_runs_once_with_its_own_values(
    headless: Shell, store: Store
) -> None:
    result = headless.run(CELL)
    assert result.error_in_exec is None and result.result is None  # no panel
    assert (
        "controls not shown: there is no notebook front end to show widgets; the cell runs with its own "
        "values" in result.stdout
    )
    assert "ran 3 0.1 adam" in result.stdout
    (run,) = store.search_runs()
    assert run.params == {"epochs": 3, "lr": 0.1, "opt": "adam"} and run.metrics[
        "acc"
    ] == pytest.approx(0.3)
    assert run.status == "finished"


def test_under_the_runner_the_cell_runs_with_the_injected_values(
    headless: Shell, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_run(
        "runner0000001",
        name="explore.ipynb",
        experiment="default",
        source="notebook",
        params={"lr": 0.5, "opt": "rmsprop"},
    )  # as `jupyter mlops run -p lr 0.5` records them
    monkeypatch.setenv("JUPYTER_MLOPS_RUN_ID", "runner0000001")
    result = headless.run(CELL)
    assert "the cell runs with the injected lr=0.5 and its own other values" in result.stdout
    assert "ran 3 0.5 adam" in result.stdout  # 'rmsprop' is not one of opt's choices: its own value
    assert store.count_runs() == 1
    run = store.get_run("runner0000001")
    assert run.params == {"lr": 0.5, "opt": "rmsprop", "epochs": 3}
    assert run.metrics["acc"] == pytest.approx(1.5)
    assert headless.ns["lr"] == 0.5


def test_mlops_controls_calls_the_function_once_with_the_defaults(
    headless: Shell, store: Store
) -> None:
    calls: list[dict[str, Any]] = []

    def train(lr: float, epochs: int, opt: str) -> None:
        calls.append({"lr": lr, "epochs": epochs, "opt": opt})
        mlops.log_metric("acc", 0.5)

    panel = mlops.controls(lr=(1e-4, 1e-1, "log", 0.01), epochs=(1, 50), opt=["adam", "sgd"])
    assert isinstance(panel, HeadlessControls)
    assert calls == [] and store.count_runs() == 0
    assert panel.run(train) is panel
    assert calls == [{"lr": 0.01, "epochs": 25, "opt": "adam"}]
    (run,) = store.search_runs()
    assert run.params == {"lr": 0.01, "epochs": 25, "opt": "adam"} and run.status == "finished"
    assert panel._repr_mimebundle_() == {
        "text/plain": "controls not shown: there is no notebook front end to show widgets; called "
        f"train(lr=0.01, epochs=25, opt=adam) in run {run.id}"
    }

    def broken(epochs: int) -> None:
        raise ValueError("no data")

    with pytest.raises(ValueError, match="no data"):  # a pipeline step fails as its code does
        mlops.controls(epochs=(1, 5)).run(broken)
    failed = store.search_runs("status = 'failed'")
    assert len(failed) == 1 and failed[0].params == {"epochs": 3}


def _notebook(path: Path, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)


@pytest.mark.slow
def test_papermill_runs_the_cells_without_showing_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    from jupyter_mlops.store import open_store

    store_dir = tmp_path / "store"
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(store_dir))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.delenv("JUPYTER_MLOPS_HEADLESS", raising=False)
    source, output = tmp_path / "explore.ipynb", tmp_path / "out.ipynb"
    _notebook(
        source,
        "import jupyter_mlops as mlops\n%load_ext jupyter_mlops",
        CELL,
        "def train(units, act):\n    mlops.log_metric('width', units * 2)\n"
        "mlops.controls(units=(8, 64, 8, 16), act=['relu', 'tanh']).run(train)",
    )
    papermill.execute_notebook(
        str(source), str(output), kernel_name="python3", cwd=str(tmp_path), progress_bar=False
    )

    executed = nbformat.read(output, as_version=4)
    outputs = json.dumps([cell.get("outputs", []) for cell in executed.cells])
    assert WIDGET_VIEW not in outputs
    assert "ran 3 0.1 adam" in outputs
    assert "called train(units=16, act=relu) in run" in outputs
    runs = {run.name: run for run in open_store(str(store_dir)).search_runs()}
    assert (
        runs["train"].params == {"units": 16, "act": "relu"}
        and runs["train"].metrics["width"] == 32
    )
    (cell_run,) = [run for name, run in runs.items() if name != "train"]
    assert (
        cell_run.params == {"epochs": 3, "lr": 0.1, "opt": "adam"} and cell_run.status == "finished"
    )


@pytest.mark.slow
def test_a_front_end_that_can_prompt_gets_controls_one_that_cannot_gets_a_run(
    tmp_path: Path,
) -> None:
    """JupyterLab, Notebook 7 and VS Code send ``allow_stdin``; papermill and nbconvert do not."""
    import os

    from jupyter_client.manager import KernelManager

    store_dir = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_MLOPS_HEADLESS"}
    env.update(JUPYTER_MLOPS_STORE=str(store_dir), IPYTHONDIR=str(tmp_path / "ipython"))
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)

        def execute(code: str, allow_stdin: bool) -> list[dict[str, Any]]:
            outputs: list[dict[str, Any]] = []
            client.allow_stdin = allow_stdin
            reply = client.execute_interactive(
                code,
                timeout=60,
                allow_stdin=allow_stdin,
                output_hook=lambda msg: outputs.append(msg["content"]),
                stdin_hook=lambda msg: None,
            )
            assert reply["content"]["status"] == "ok", reply["content"]
            return outputs

        execute("import jupyter_mlops as mlops\n%load_ext jupyter_mlops", allow_stdin=True)
        shown = execute(CELL, allow_stdin=True)
        assert any(WIDGET_VIEW in out.get("data", {}) for out in shown)
        assert "ran 3" not in json.dumps(shown)
        ran = execute(CELL, allow_stdin=False)
        assert not any(WIDGET_VIEW in out.get("data", {}) for out in ran)
        assert "ran 3 0.1 adam" in json.dumps(ran)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    from jupyter_mlops.store import open_store

    (run,) = open_store(str(store_dir)).search_runs()
    assert run.params == {"epochs": 3, "lr": 0.1, "opt": "adam"}
