"""``%%track --controls`` in a real IPython shell, driven from Python as a user would drive the
widgets: controls for the cell's literals, one tracked run per Run press with the controls'
values as its params, the table and chart of those runs, and the bad inputs."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as w
import pytest

from jupyter_mlops.controls.panel import PANEL_TAG, ControlPanel
from jupyter_mlops.store.sqlstore import Store
from tests.support.controls import Shell, text_of, wait_for

CELL = """%%track --controls --metric acc
epochs = 3
lr = 0.01
opt = "adam"  # choices: adam, sgd
shuffle = True
model = make_model(lr)
model = make_model(lr / 2)
acc = 1 - 1 / (epochs + 1) - (0.1 if opt == "sgd" else 0)
print("trained", epochs, lr, opt, shuffle)
"""


def panel_of(shell: Shell, cell: str = CELL) -> ControlPanel:
    shell.ns["make_model"] = lambda lr: f"model(lr={lr})"
    result = shell.run(cell)
    assert result.error_in_exec is None, result.stdout + result.stderr
    assert isinstance(result.result, ControlPanel)
    return result.result


def test_controls_are_made_from_the_cells_literals_and_nothing_runs_before_run(
    shell: Shell, store: Store
) -> None:
    panel = panel_of(shell)
    assert list(panel.controls) == ["epochs", "lr", "opt", "shuffle"]  # acc is a --metric
    kinds = {name: type(control.input) for name, control in panel.controls.items()}
    assert kinds == {
        "epochs": w.IntSlider,
        "lr": w.FloatLogSlider,
        "opt": w.Dropdown,
        "shuffle": w.Checkbox,
    }
    assert [value for _, value in panel.controls["opt"].input.options] == ["adam", "sgd"]
    assert isinstance(panel.controls["epochs"].text, w.IntText)  # the slider's text box
    assert panel.values() == {"epochs": 3, "lr": 0.01, "opt": "adam", "shuffle": True}
    assert "acc" not in shell.ns and store.count_runs() == 0
    notes = text_of(panel.notes)
    assert notes == "not controllable: model (its value is computed, not a literal)"  # listed once
    assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()


def test_each_press_is_one_run_of_the_cell_with_the_controls_values(
    shell: Shell, store: Store
) -> None:
    panel = panel_of(shell)
    first = panel.press()
    panel.controls["epochs"].input.value = 9  # as a slider moved in the front end
    panel.controls["opt"].input.value = "sgd"
    panel.controls["shuffle"].input.value = False
    second = panel.press()

    runs = {run.id: run for run in store.search_runs()}
    assert set(runs) == {first, second}
    assert runs[first].params == {"epochs": 3, "lr": 0.01, "opt": "adam", "shuffle": True}
    assert runs[second].params == {"epochs": 9, "lr": 0.01, "opt": "sgd", "shuffle": False}
    assert runs[second].metrics["acc"] == pytest.approx(0.8)
    assert all(run.status == "finished" and run.source == "cell" for run in runs.values())
    assert all(run.tags[PANEL_TAG] == panel.key for run in runs.values())
    assert (shell.ns["epochs"], shell.ns["opt"], shell.ns["model"]) == (9, "sgd", "model(lr=0.005)")

    record = store.execution_record(second)
    assert record[-1].source.startswith("%%track --controls --metric acc\nepochs = 9\n")
    assert 'opt = "sgd"  # choices: adam, sgd' in record[-1].source
    assert any(cell.source == CELL.rstrip("\n") or cell.source == CELL for cell in record[:-1])
    assert store.snapshot(second) is not None

    rows = panel.table.rows()
    assert [row["run"] for row in rows] == [second, first]  # newest first
    assert rows[0] == {
        "run": second,
        "status": "finished",
        "epochs": "9",
        "lr": "0.01",
        "opt": "sgd",
        "shuffle": "false",
        "acc": "0.8",
    }
    assert panel.table.best_cells() == [(second, "acc")]
    assert (panel.chart.metric.value, panel.chart.param.value) == (
        "acc",
        "epochs",
    )  # the first that changed
    assert [(p.x, round(p.y, 3)) for p in panel.chart.points] == [(3, 0.75), (9, 0.8)]
    trace = panel.chart.figure.data[0]
    assert list(trace.x) == [3, 9] and panel.chart.figure.layout.xaxis.type == "linear"
    panel.chart.param.value = "opt"  # a text param: one category a value
    assert list(trace.x) == ["adam", "sgd"] and panel.chart.figure.layout.xaxis.type == "category"
    panel.chart.param.value = "lr"
    assert panel.chart.figure.layout.xaxis.type == "log"
    assert second in panel.message.value and "finished" in panel.message.value


def test_clicking_a_row_restores_its_values(shell: Shell, store: Store) -> None:
    panel = panel_of(shell)
    first = panel.press()
    panel.controls["epochs"].input.value = 20
    panel.controls["lr"].input.value = 0.5
    panel.press()
    assert panel.values()["epochs"] == 20 and panel.values()["lr"] == 0.5
    panel.table.click(first)
    assert panel.values() == {"epochs": 3, "lr": 0.01, "opt": "adam", "shuffle": True}
    assert panel.controls["epochs"].input.value == 3 and panel.controls["epochs"].text.value == 3
    assert (
        text_of(panel.message)
        == f"restored the values of run {first} : epochs=3, lr=0.01, opt=adam, shuffle=true"
    )


def test_a_value_typed_beyond_an_inferred_range_widens_the_slider(
    shell: Shell, store: Store
) -> None:
    panel = panel_of(shell)
    epochs = panel.controls["epochs"]
    assert (epochs.input.min, epochs.input.max) == (0, 30)
    epochs.text.value = 500
    assert (epochs.input.min, epochs.input.max, epochs.input.value) == (0, 500, 500)
    assert (
        text_of(panel.message)
        == "epochs: 500 (typed) is beyond the slider's range 0…30; the slider now reaches 0…500"
    )
    lr = panel.controls["lr"]
    lr.text.value = 0.0  # no log scale holds 0: refused, the box shows the value kept
    assert (
        text_of(panel.message)
        == "lr: 0 cannot be on a log scale; give a value above 0; lr stays 0.01"
        and lr.text.value == 0.01
    )
    run_id = panel.press()
    assert (
        store.get_run(run_id).params["epochs"] == 500 and store.get_run(run_id).params["lr"] == 0.01
    )


def test_a_failing_run_shows_failed_with_its_error_and_the_controls_stay_usable(
    shell: Shell, store: Store
) -> None:
    panel = panel_of(
        shell,
        "%%track --controls\nepochs = 3\nif epochs > 5:\n    raise ValueError(f'{epochs} epochs overfit')\n"
        "done = epochs\n",
    )
    panel.controls["epochs"].input.value = 8
    failed = panel.press()
    run = store.get_run(failed)
    assert run.status == "failed" and run.params == {"epochs": 8}
    assert run.error["ename"] == "ValueError" and run.error["evalue"] == "8 epochs overfit"
    row = panel.table.rows()[0]
    assert row["run"] == failed and row["status"] == "failed ValueError: 8 epochs overfit"
    assert "failed" in panel.message.value and "8 epochs overfit" in panel.message.value
    assert not panel.run_button.disabled and not panel.running

    panel.controls["epochs"].input.value = 4
    finished = panel.press()
    assert store.get_run(finished).status == "finished" and shell.ns["done"] == 4
    assert [row["status"] for row in panel.table.rows()] == [
        "finished",
        "failed ValueError: 8 epochs overfit",
    ]


def test_a_press_while_a_run_is_going_is_refused_and_runs_never_mix_params(
    shell: Shell, store: Store
) -> None:
    panel = panel_of(shell, "%%track --controls\nepochs = 3\nduring_run(epochs)\n")
    started, release = threading.Event(), threading.Event()
    seen: list[dict[str, Any]] = []
    refused: list[Any] = []

    def during_run(epochs: int) -> None:
        seen.append({"epochs": epochs, "button_disabled": panel.run_button.disabled})
        if len(seen) == 1:
            refused.append(panel.press())  # a press from the running code itself
            started.set()
            release.wait(30)

    shell.ns["during_run"] = during_run
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("first", panel.press()))
    worker.start()
    assert started.wait(30)
    refused.append(panel.press())  # a press from another thread while the first run goes on
    assert "still going" in panel.message.value and "this press was not run" in panel.message.value
    panel.controls["epochs"].input.value = 7  # moved during the run: the next run's value
    release.set()
    worker.join(30)

    second = panel.press()
    assert refused == [None, None]
    assert seen == [{"epochs": 3, "button_disabled": True}, {"epochs": 7, "button_disabled": True}]
    runs = {run.id: run.params for run in store.search_runs()}
    assert runs == {outcome["first"]: {"epochs": 3}, second: {"epochs": 7}}
    assert not panel.run_button.disabled


def test_the_table_follows_a_run_while_it_goes(shell: Shell, store: Store) -> None:
    panel = panel_of(
        shell,
        "%%track --controls\nepochs = 3\nfor step in range(epochs):\n"
        "    mlops.log_metric('loss', 1 / (step + 1))\nhold()\n",
    )
    panel.live.interval = 0.05
    logged, release = threading.Event(), threading.Event()

    def hold() -> None:
        logged.set()
        release.wait(30)

    shell.ns["hold"] = hold
    worker = threading.Thread(target=panel.press)
    worker.start()
    try:
        assert logged.wait(30)
        wait_for(
            lambda: (
                [row.get("loss") for row in panel.table.rows()] == ["0.333333"]
                and panel.table.rows()[0]["status"] == "running"
            ),
            "the running run's row and its loss",
        )
    finally:
        release.set()
        worker.join(30)
    assert panel.table.rows()[0]["status"] == "finished"


def test_a_cell_without_literals_still_runs_from_its_panel(shell: Shell, store: Store) -> None:
    panel = panel_of(shell, "%%track --controls --name plain\nvalue = len('abc')\n")
    assert panel.controls == {} and "no literal params" in panel.title.value
    run_id = panel.press()
    assert store.get_run(run_id).name == "plain" and shell.ns["value"] == 3


def test_bad_choices_comments_are_reported_under_the_controls(shell: Shell, store: Store) -> None:
    panel = panel_of(
        shell,
        "%%track --controls\nunits = 64  # choices: 32, big\nopt = 'rmsprop'  # choices: adam, sgd\n",
    )
    assert type(panel.controls["units"].input) is w.IntSlider  # a plain control instead
    assert [value for _, value in panel.controls["opt"].input.options] == ["rmsprop", "adam", "sgd"]
    assert "units: choice 'big' is not a whole number" in text_of(panel.notes)
    assert "opt: its value 'rmsprop' is not among its choices" in text_of(panel.notes)


def test_a_cell_that_does_not_parse_shows_its_syntax_error_and_no_controls(
    shell: Shell, store: Store
) -> None:
    result = shell.run("%%track --controls\nlr = 0.1\nif lr print(lr)\n")
    assert result.result is None and isinstance(result.error_in_exec, SyntaxError)
    assert "SyntaxError" in result.stdout


def test_without_plotly_the_chart_says_how_to_get_it_and_runs_go_on(
    shell: Shell, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_mlops.widgets import charts

    def unavailable(y_title: str = "value") -> None:
        raise charts.ChartsUnavailable(
            "metric charts need plotly and anywidget; pip install plotly"
        )

    monkeypatch.setattr(charts, "new_figure", unavailable)
    panel = panel_of(shell)
    run_id = panel.press()
    assert store.get_run(run_id).status == "finished" and len(panel.table.rows()) == 1
    assert "metric charts need plotly" in text_of(panel.chart.message)
    assert [(p.x, p.y) for p in panel.chart.points] == [(3, 0.75)]
