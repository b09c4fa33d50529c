"""The "re-run with these params" form: typed values, and a real re-run in the background
followed to its end by the browser's live refresh."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from jupyter_mlops.errors import InvalidInput
from jupyter_mlops.widgets import RunBrowser
from jupyter_mlops.widgets.rerun import changed_params, param_text, parse_param

RERUN_TAB = 5


def test_values_are_edited_as_text_and_read_back_with_their_type() -> None:
    assert (
        param_text("adam") == "adam" and param_text(0.1) == "0.1" and param_text([1, 2]) == "[1, 2]"
    )
    assert param_text(True) == "true"
    assert parse_param("opt", "sgd", "adam") == "sgd"
    assert parse_param("opt", "12", "adam") == "12", "text stays text"
    assert parse_param("lr", "0.5", 0.1) == 0.5 and parse_param("epochs", "7", 3) == 7
    assert (
        parse_param("flag", "True", False) is True and parse_param("flag", "false", True) is False
    )
    assert parse_param("sizes", "[8, 16]", [4]) == [8, 16]
    assert parse_param("path", "data/x.csv", None) == "data/x.csv", "no type to keep: kept as text"
    with pytest.raises(InvalidInput, match=r"param 'lr': 'fast' is not a value.*\(0.1\)"):
        parse_param("lr", "fast", 0.1)


def test_only_changed_params_are_passed_on_and_every_bad_one_is_named() -> None:
    params = {"lr": 0.1, "opt": "adam", "epochs": 3}
    assert changed_params(params, {"lr": "0.1", "opt": "adam", "epochs": "3"}) == {}
    assert changed_params(params, {"lr": "0.2", "opt": "adam", "epochs": "3"}) == {"lr": 0.2}
    with pytest.raises(InvalidInput, match="'lr'.*; param 'epochs'"):
        changed_params(params, {"lr": "x", "opt": "adam", "epochs": "y"})


def test_a_run_without_a_notebook_snapshot_says_there_is_nothing_to_rerun(
    make_run, store_dir
) -> None:
    make_run("from the api", params={"lr": 0.1})
    browser = RunBrowser(store=store_dir)
    browser.open_run(browser.page.runs[0].id)
    form = browser.detail.rerun
    assert form.texts() == {} and form.start_button.disabled, "filled when its tab opens"
    browser.detail.tabs.selected_index = RERUN_TAB
    assert "has no notebook snapshot" in form.intro.value and form.start_button.disabled
    assert form.start() is None and browser.page.total == 1


@pytest.fixture
def notebook_run(tmp_path: Path, store_dir: Path) -> str:
    """A run made by the runner from a tiny notebook whose ``parameters`` cell sets lr."""
    from jupyter_mlops.runner import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("lr = 0.1\nsteps = 3")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "import jupyter_mlops as mlops\n"
            "for step in range(steps):\n"
            "    mlops.log_metric('loss', lr * (steps - step), step=step)"
        ),
    ]
    path = tmp_path / "train.ipynb"
    nbformat.write(nb, os.fspath(path))
    run = run_notebook(path, experiment="tiny", store=os.fspath(store_dir))
    assert run.status == "finished", run.error
    return run.id


def test_the_form_offers_the_notebook_parameters_and_refuses_a_bad_value(
    notebook_run, store_dir
) -> None:
    browser = RunBrowser(store=store_dir)
    browser.open_run(notebook_run)
    browser.detail.tabs.selected_index = RERUN_TAB
    form = browser.detail.rerun
    assert form.texts() == {"lr": "0.1", "steps": "3"} and not form.start_button.disabled
    assert "train.ipynb" in form.intro.value
    form.set_text("steps", "many")
    form.start_button.click()
    assert "param &#x27;steps&#x27;: &#x27;many&#x27; is not a value" in form.message.value
    assert form.started is None and browser.page.total == 1


def test_rerunning_with_a_changed_param_runs_the_notebook_again_and_follows_it(
    notebook_run: str, store_dir: Path
) -> None:
    browser = RunBrowser(store=store_dir, refresh_interval=0.1)
    browser.detail.tabs.selected_index = RERUN_TAB
    browser.open_run(notebook_run)
    form = browser.detail.rerun
    assert form.texts() == {"lr": "0.1", "steps": "3"}
    form.set_text("lr", "0.5")
    form.start_button.click()
    assert "started run" in form.message.value and "lr = 0.5" in form.message.value
    new_id = form.started.id
    assert new_id != notebook_run and "mlops-rerun-progress" in form.progress.value
    assert new_id in browser.table.shown_run_ids, "the new run is listed at once"

    deadline = time.monotonic() + 120
    while form.running or browser.live.active:
        assert time.monotonic() < deadline, f"the re-run did not end: {form.progress.value}"
        time.sleep(0.1)
    assert ">finished<" in form.progress.value and "loss 0.5" in form.progress.value
    # a re-run is named from what changed (runner.reruns.rerun_name), as in every face
    renamed = f"{browser.detail.run.name} lr=0.5"
    assert browser.table.row_texts()[0][:4] == [new_id, renamed, "tiny", "finished"]

    new = browser.store.get_run(new_id)
    assert (
        new.params["lr"] == 0.5
        and new.params.get("steps", 3) == 3
        and new.tags["rerun_of"] == notebook_run
    )
    assert list(browser.store.metric_history(new_id, "loss").values) == [1.5, 1.0, 0.5]
    form.open_button.click()
    assert browser.detail.run.id == new_id


def test_the_form_starts_from_rerun_start_and_refuses_a_name_that_is_no_identifier(
    notebook_run: str, store_dir: Path
) -> None:
    from jupyter_mlops.runner.reruns import rerun_start

    browser = RunBrowser(store=store_dir)
    browser.open_run(notebook_run)
    browser.detail.tabs.selected_index = RERUN_TAB
    form = browser.detail.rerun
    start = rerun_start(browser.store, notebook_run)
    assert form.values == start.values == {"lr": 0.1, "steps": 3}
    assert form.kinds == {"lr": "float", "steps": "int"}
    form.fields.children[0].description = "x = 1\nopen('owned','w').write('x')\ny"
    form.start_button.click()
    assert "not a parameter name" in form.message.value and form.started is None
    assert browser.page.total == 1 and not Path("owned").exists()
