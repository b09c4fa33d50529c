"""``mlops.controls(...).run(fn)``: every press calls ``fn(**values)`` inside a new tracked run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.controls.panel import PANEL_TAG, FunctionPanel
from jupyter_mlops.errors import InvalidInput
from jupyter_mlops.store.sqlstore import Store
from tests.support.controls import Shell, text_of


def make_panel(**declarations: Any) -> FunctionPanel:
    panel = mlops.controls(**declarations)
    assert isinstance(panel, FunctionPanel)
    return panel


def test_each_press_calls_the_function_with_the_values_in_a_new_run(
    shell: Shell, store: Store
) -> None:
    calls: list[dict[str, Any]] = []

    def train(lr: float, epochs: int, opt: str) -> None:
        calls.append({"lr": lr, "epochs": epochs, "opt": opt, "run": mlops.active_run().id})
        for step in range(epochs):
            mlops.log_metric("loss", 1 / ((step + 1) * lr))

    panel = make_panel(lr=(1e-4, 1e-1, "log"), epochs=(1, 50), opt=["adam", "sgd"])
    kinds = {name: type(control.input) for name, control in panel.controls.items()}
    assert kinds == {"lr": w.FloatLogSlider, "epochs": w.IntSlider, "opt": w.Dropdown}
    assert panel.values() == {"lr": 0.00316, "epochs": 25, "opt": "adam"}
    assert panel.run_button.disabled and panel.press() is None  # nothing bound yet
    assert "bind a function with panel.run(train)" in text_of(panel.message)

    assert panel.run(train, experiment="tuning", tags={"who": "me"}) is panel
    assert not panel.run_button.disabled and calls == []  # nothing runs until Run
    first = panel.press()
    panel.controls["lr"].input.value = 0.05  # the log slider moved
    panel.controls["epochs"].input.value = 10
    panel.controls["opt"].input.value = "sgd"
    second = panel.press()

    assert [call["run"] for call in calls] == [first, second]
    assert calls[1] == {"lr": 0.05, "epochs": 10, "opt": "sgd", "run": second}
    runs = {run.id: run for run in store.search_runs()}
    assert set(runs) == {first, second}
    assert runs[first].params == {"lr": 0.00316, "epochs": 25, "opt": "adam"}
    assert runs[second].params == {"lr": 0.05, "epochs": 10, "opt": "sgd"}
    assert runs[second].metrics["loss"] == pytest.approx(2.0)
    assert all(
        run.name == "train" and run.experiment == "tuning" and run.status == "finished"
        for run in runs.values()
    )
    assert all(
        run.tags[PANEL_TAG] == panel.key and run.tags["who"] == "me" for run in runs.values()
    )
    assert store.snapshot(second) is not None and store.execution_record(second)
    assert panel.table.best_cells() == [(second, "loss")]  # a loss is best lowest
    assert [row["run"] for row in panel.table.rows()] == [second, first]


def test_a_failing_call_is_a_failed_run_and_the_panel_stays_usable(
    shell: Shell, store: Store
) -> None:
    def train(epochs: int) -> None:
        if epochs > 10:
            raise RuntimeError(f"diverged after {epochs} epochs")
        mlops.log_metric("acc", epochs / 10)

    panel = make_panel(epochs=(1, 20, 1, 15)).run(train)
    failed = panel.press()
    run = store.get_run(failed)
    assert run.status == "failed" and run.params == {"epochs": 15}
    assert (
        run.error["ename"] == "RuntimeError"
        and "diverged after 15 epochs" in run.error["traceback"]
    )
    assert (
        Path(__file__).name in run.error["traceback"]
        and "controls/calls.py" not in run.error["traceback"]
    )
    assert panel.table.rows()[0]["status"] == "failed RuntimeError: diverged after 15 epochs"
    assert not panel.run_button.disabled
    panel.controls["epochs"].input.value = 5
    finished = panel.press()
    assert store.get_run(finished).status == "finished" and store.get_run(finished).params == {
        "epochs": 5
    }


def test_a_value_typed_beyond_a_declared_range_is_refused(shell: Shell, store: Store) -> None:
    panel = make_panel(lr=(1e-4, 1e-1, "log"), epochs=(1, 50))
    panel.controls["lr"].text.value = 0.5
    assert text_of(panel.message) == (
        "lr: 0.5 is outside 0.0001…0.1 (log scale), the range given to "
        "mlops.controls; declare a wider range to try it; lr stays 0.00316"
    )
    assert panel.controls["lr"].text.value == 0.00316 and panel.values()["lr"] == 0.00316
    panel.controls["epochs"].text.value = 60
    assert "epochs: 60 is outside 1…50" in text_of(panel.message) and panel.values()["epochs"] == 25
    panel.controls["epochs"].text.value = 40  # within the range: the slider follows
    assert panel.controls["epochs"].input.value == 40 and panel.values()["epochs"] == 40


def test_bad_uses_say_what_to_do(shell: Shell) -> None:
    with pytest.raises(InvalidInput, match="name at least one control"):
        mlops.controls()
    with pytest.raises(InvalidInput, match=r"lr=\(0.1, 0.01\): min 0.1 must be below max 0.01"):
        mlops.controls(lr=(0.1, 0.01))
    panel = make_panel(lr=(1e-4, 1e-1, "log"), epochs=(1, 50))
    with pytest.raises(
        InvalidInput, match=r"train\(\) cannot be called with the controls' values \(lr, epochs\)"
    ):
        panel.run(lambda_train)
    with pytest.raises(InvalidInput, match="panel.run takes the function"):
        panel.run("train")  # type: ignore[arg-type]


def test_a_control_name_that_is_not_an_identifier_is_refused_and_no_run_is_made(
    shell: Shell, store: Store
) -> None:
    hostile = "x = 1\nopen('owned','w').write('x')\ny"
    for name in (hostile, "class", "a b"):
        with pytest.raises(InvalidInput, match=r"mlops.controls: .* not a parameter name"):
            mlops.controls(**{"lr": (0.1, 1.0), name: 1})
    assert store.search_runs() == [] and not Path("owned").exists()


def lambda_train(lr: float) -> None:
    pass


lambda_train.__name__ = "train"


def test_in_a_plain_script_it_is_callable_whichever_loads_first_and_calls_at_once(
    tmp_path: Any,
) -> None:
    script = (
        "import jupyter_mlops as mlops\n"
        "{first}\n"
        "def train(epochs):\n"
        "    mlops.log_metric('acc', epochs / 10)\n"
        "panel = mlops.controls(epochs=(1, 9)).run(train)\n"
        "print(type(panel).__name__, panel.values())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_MLOPS_HEADLESS"}
    env["JUPYTER_MLOPS_STORE"] = str(tmp_path / "store")
    for first in ("import jupyter_mlops.controls.cell", "pass"):
        out = subprocess.run(
            [sys.executable, "-c", script.format(first=first)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "HeadlessControls {'epochs': 5}"
    from jupyter_mlops.store import open_store

    runs = open_store(str(tmp_path / "store")).search_runs()
    assert [(run.name, run.source, run.params, run.metrics) for run in runs] == [
        ("train", "api", {"epochs": 5}, {"acc": 0.5})
    ] * 2


def test_importing_the_package_loads_no_widgets() -> None:
    code = "import sys, jupyter_mlops as m; m.controls; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
