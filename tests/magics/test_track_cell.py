"""``%%track``, ``%track start|stop`` and ``%runs`` in a real IPython shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.error import UsageError

from jupyter_mlops.store.sqlstore import Store


def only_run(store: Store) -> Any:
    runs = store.search_runs()
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


def test_cell_becomes_a_run_with_params_metrics_snapshot_and_summary(shell, store) -> None:
    cell = shell.run(
        "%%track --name first --experiment exp --param model --metric acc --tag stage=dev --tag owner=me\n"
        "lr = 0.1\n"
        "epochs = 3\n"
        "layers = [64, 32]\n"
        "opts = {'momentum': 0.9, 'nesterov': True}\n"
        "note = None\n"
        "model = 'resnet' + str(len(layers))\n"
        "for step in range(100):\n"
        "    mlops.log_metric('loss', 1.0 / (step + 1))\n"
        "print('trained')\n"
        "acc = 0.5 + 0.25\n"
        "acc\n"
    )
    assert cell.error is None
    assert cell.result.result == 0.75  # the cell's value is displayed as without %%track
    assert "trained" in cell.stdout

    run = only_run(store)
    assert (run.name, run.experiment, run.status, run.source) == ("first", "exp", "finished", "cell")
    assert run.params == {"lr": 0.1, "epochs": 3, "layers": [64, 32], "opts": {"momentum": 0.9, "nesterov": True},
                          "note": None, "model": "resnet2"}
    assert isinstance(run.params["lr"], float) and isinstance(run.params["epochs"], int)
    assert run.metrics["acc"] == 0.75 and run.metrics["loss"] == pytest.approx(0.01)
    assert list(store.metric_history(run.id, "loss").steps) == list(range(100))
    assert run.tags["stage"] == "dev" and run.tags["owner"] == "me"
    assert run.tags["mlops.snapshot"] == "history"  # plain IPython: no notebook file
    assert run.duration is not None and run.duration >= 0
    assert "packages" in run.env and run.env["python"]

    record = store.execution_record(run.id)
    assert record[-1].source.startswith("%%track --name first") and "mlops.log_metric" in record[-1].source
    assert record[0].source == "import jupyter_mlops as mlops"
    snapshot = store.snapshot(run.id)
    assert [c.source for c in snapshot.cells] == [c.source for c in record]

    system = [k for k in store.metric_keys(run.id) if k.startswith("system/")]
    assert {"system/cpu_percent", "system/process_rss_mb", "system/memory_percent"} <= set(system)
    assert len(store.metric_history(run.id, "system/process_rss_mb")) >= 2  # at start and at end

    summary = cell.outputs[-1]
    assert run.id in summary["text/plain"] and "finished" in summary["text/plain"]
    assert "acc=0.75" in summary["text/plain"] and "loss=0.01" in summary["text/plain"]
    assert f'data-run-id="{run.id}"' in summary["text/html"]
    assert not cell.stderr


def test_failing_cell_is_recorded_then_raised_as_usual(shell, store) -> None:
    cell = shell.run("%%track --name boom\nx = 1\n1 / 0\nnever = 2\n")
    assert isinstance(cell.error, ZeroDivisionError)
    assert "ZeroDivisionError" in cell.stdout and "----> 3 1 / 0" in cell.stdout
    assert "never" not in shell.ns
    assert "magics.py" not in cell.stdout  # the magic's own frames are hidden

    run = only_run(store)
    assert run.status == "failed"
    assert run.error["ename"] == "ZeroDivisionError" and run.error["evalue"] == "division by zero"
    assert "1 / 0" in run.error["traceback"] and "magics.py" not in run.error["traceback"]
    assert run.params == {"x": 1}  # not `never`: that line did not run
    assert store.snapshot_bytes(run.id) is not None  # stored even though the cell failed
    assert "failed" in cell.outputs[-1]["text/plain"]


def test_syntax_error_is_a_failed_run_shown_as_in_a_plain_cell(shell, store) -> None:
    cell = shell.run("%%track\nx = (\n")
    assert isinstance(cell.error, SyntaxError)
    assert "SyntaxError" in cell.stdout and "magics.py" not in cell.stdout
    run = only_run(store)
    assert run.status == "failed" and run.error["ename"] == "SyntaxError"


def test_interrupt_marks_the_run_interrupted(shell, store) -> None:
    cell = shell.run("%%track\nraise KeyboardInterrupt\n")
    assert isinstance(cell.error, KeyboardInterrupt)
    assert only_run(store).status == "interrupted"


@pytest.mark.parametrize("line", ["--bogus", "--tag nokey", "--tag =v", "--param 1x", "--metric a.b",
                                  "--name ''", "--quiet extra", '--name "unclosed'])
def test_bad_magic_line_is_a_usage_error_and_the_cell_does_not_run(shell, store, line) -> None:
    cell = shell.run(f"%%track {line}\nran = True\n")
    assert isinstance(cell.error, UsageError)
    assert "ran" not in shell.ns
    assert store.search_runs() == []


def test_quotes_group_words_on_the_magic_line(shell, store) -> None:
    shell.run('%%track --name "my baseline" --tag note="two words" --quiet\nx = 1\n')
    run = only_run(store)
    assert run.name == "my baseline" and run.tags["note"] == "two words"


def test_param_or_metric_not_defined_warns_and_the_cell_still_runs(shell, store) -> None:
    cell = shell.run("%%track --param missing --metric gone --metric text\nx = 1\ntext = 'high'\n")
    assert cell.error is None and shell.ns["x"] == 1
    assert "--param missing: no variable named 'missing' after the cell" in cell.stderr
    assert "--metric gone: no variable named 'gone'" in cell.stderr
    assert "--metric text not recorded" in cell.stderr
    run = only_run(store)
    assert run.status == "finished" and "missing" not in run.params and run.metrics == {
        k: v for k, v in run.metrics.items() if k.startswith("system/")}


def test_param_that_is_not_json_is_stored_as_its_repr_with_a_warning(shell, store) -> None:
    cell = shell.run("%%track --param thing --param pair\nclass Thing:\n    def __repr__(self):\n"
                     "        return 'Thing(7)'\nthing = Thing()\npair = (1, 'a')\n")
    assert "--param thing: a Thing is not a JSON value" in cell.stderr
    run = only_run(store)
    assert run.params["thing"] == "Thing(7)" and run.params["pair"] == [1, "a"]


def test_captured_param_conflicting_with_a_logged_one_keeps_the_logged_one(shell, store) -> None:
    cell = shell.run("%%track\nmlops.log_param('lr', 0.01)\nlr = 0.1\n")
    assert cell.error is None
    assert "param 'lr' was already logged as 0.01" in cell.stderr
    assert only_run(store).params["lr"] == 0.01


def test_a_logged_param_replaces_a_captured_one_already_written(shell, store) -> None:
    cell = shell.run("%%track --quiet\nlr = 0.1\nmlops.active_run().flush()\nseen = mlops.get_store().get_run(mlops.active_run().id).params\n"
                     "mlops.log_param('lr', 0.01)\n")
    assert cell.error is None and shell.ns["seen"] == {"lr": 0.1}  # written with the run's first batch
    assert "param 'lr' was already logged as 0.01" in cell.stderr
    assert only_run(store).params == {"lr": 0.01}


def test_a_cell_that_fails_early_keeps_only_the_captured_params_that_ran(shell, store) -> None:
    cell = shell.run("%%track --quiet\nlr = 0.1\nmlops.active_run().flush()\nseen = mlops.get_store().get_run(mlops.active_run().id).params\n"
                     "raise ValueError('stop')\nepochs = 5\n")
    assert isinstance(cell.error, ValueError)
    assert shell.ns["seen"] == {"lr": 0.1, "epochs": 5}  # shown while it ran
    assert only_run(store).params == {"lr": 0.1}


def test_no_snapshot_keeps_the_execution_record(shell, store) -> None:
    shell.run("%%track --no-snapshot --quiet\nx = 1\n")
    run = only_run(store)
    assert store.snapshot_bytes(run.id) is None
    assert store.execution_record(run.id)[-1].source == "%%track --no-snapshot --quiet\nx = 1"


def test_notebook_file_is_the_snapshot_with_its_parameters_cell(shell, store, tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("lr = 0.1\nbatch = 8\nname = 'base'")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("batch = 16")
    injected.metadata["tags"] = ["injected-parameters"]
    notebook.cells = [params, injected, nbformat.v4.new_code_cell("%%track\nunits = 4")]
    path = tmp_path / "work.ipynb"
    nbformat.write(notebook, path)
    shell.ns["__session__"] = str(path)
    shell.run("lr = 0.2")  # the parameters cell edited and run, not saved yet: the kernel's value counts
    shell.run("%%track --quiet\nunits = 4\n")
    run = only_run(store)
    assert run.params == {"lr": 0.2, "batch": 16, "name": "base", "units": 4}
    assert store.snapshot_bytes(run.id) == path.read_bytes()
    assert run.notebook_path == str(path) and run.tags["mlops.snapshot"] == "file"
    assert run.name == "work [3]"


def test_half_saved_notebook_falls_back_to_history_and_says_so(shell, store, tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [{"cell_type": "code", "sour')
    shell.ns["__session__"] = str(path)
    cell = shell.run("%%track --quiet\ny = 2\n")
    assert cell.error is None
    run = only_run(store)
    assert run.tags["mlops.snapshot"] == "history"
    assert "not valid JSON" in run.tags["mlops.snapshot_problem"] and str(path) in run.tags["mlops.snapshot_problem"]
    assert store.snapshot(run.id).cells[-1].source == "%%track --quiet\ny = 2"


def test_store_that_cannot_be_opened_skips_tracking_but_runs_the_cell(shell, tmp_path, monkeypatch) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(not_a_folder))
    cell = shell.run("%%track\nz = 3\n")
    assert cell.error is None and shell.ns["z"] == 3
    assert "tracking skipped for this cell" in cell.stderr and "is a file" in cell.stderr


def test_training_loop_of_100000_steps(shell, store) -> None:
    cell = shell.run("%%track --quiet\nfor step in range(100_000):\n    mlops.log_metric('loss', 1.0 / (step + 1))\n")
    assert cell.error is None
    history = store.metric_history(only_run(store).id, "loss")
    assert len(history) == 100_000 and history.steps[-1] == 99_999


def test_runner_run_gets_the_cells_logging_and_is_left_open(shell, store, monkeypatch) -> None:
    store.create_run("runner0000001", name="nb", experiment="e", source="notebook", params={"lr": 0.5})
    monkeypatch.setenv("JUPYTER_MLOPS_RUN_ID", "runner0000001")
    first = shell.run("%%track --tag step=train --metric acc\nunits = 16\nmlops.log_metric('loss', 0.5)\nacc = 0.9\n")
    assert "logged to run runner0000001" in first.outputs[-1]["text/plain"]
    failed = shell.run("%%track --name other\nlr = 0.5\nraise ValueError('bad')\n")
    assert isinstance(failed.error, ValueError)
    assert "--name and --experiment are ignored" in failed.stderr

    run = only_run(store)  # no run of its own
    assert run.status == "running"  # the runner ends it
    assert run.params == {"lr": 0.5, "units": 16}
    assert run.metrics["loss"] == 0.5 and run.metrics["acc"] == 0.9
    assert run.tags["step"] == "train"
    assert store.snapshot_bytes(run.id) is None and store.execution_record(run.id) == []


def test_track_start_and_stop_span_cells(shell, store) -> None:
    started = shell.run("%track start --name span --tag k=v --metric total")
    assert "started" in started.stdout
    shell.run("alpha = 0.3\nmlops.log_metric('m', 1.0)")
    shell.run("beta = 'x'\ntotal = 10")
    stopped = shell.run("%track stop")
    assert stopped.error is None
    run = only_run(store)
    assert run.status == "finished" and run.name == "span" and run.tags["k"] == "v"
    assert run.params == {"alpha": 0.3, "beta": "x"}
    assert run.metrics["m"] == 1.0 and run.metrics["total"] == 10
    assert store.execution_record(run.id)[-1].source == "%track stop"
    assert store.snapshot(run.id).cells[-1].source == "%track stop"
    assert run.id in stopped.outputs[-1]["text/plain"]


def test_track_stop_without_start_and_double_start_say_what_to_do(shell, store) -> None:
    stop = shell.run("%track stop")
    assert isinstance(stop.error, UsageError) and "no run to stop: start one with %track start" in str(stop.error)
    shell.run("%track start --quiet")
    again = shell.run("%track start")
    assert isinstance(again.error, UsageError) and "still open" in str(again.error)
    options = shell.run("%track stop --name x")
    assert isinstance(options.error, UsageError)
    shell.run("%track stop --quiet")
    assert only_run(store).status == "finished"


def test_track_cell_inside_a_span_is_its_child(shell, store) -> None:
    shell.run("%track start --name outer --quiet")
    shell.run("%%track --name inner --quiet\nx = 1\n")
    shell.run("%track stop --quiet")
    runs = {r.name: r for r in store.search_runs()}
    assert runs["inner"].parent_id == runs["outer"].id


def test_help_comes_from_magic_arguments(shell) -> None:
    track_help = shell.ip.find_cell_magic("track").__doc__
    assert "%%track [--name N] [--experiment E] [--param NAME] [--metric NAME]" in track_help
    assert "--no-snapshot" in track_help and "--quiet" in track_help
    assert "{start,stop}" in shell.ip.find_line_magic("track").__doc__
    assert "FILTER" in shell.ip.find_line_magic("runs").__doc__
    shown = shell.run("%%track?")
    assert "Run this cell as a tracked run" in shown.stdout + json.dumps(shown.outputs)


def test_runs_magic_lists_and_filters_runs(shell, store) -> None:
    shell.run("%%track --name small --quiet\nlr = 0.1\n")
    shell.run("%%track --name large --quiet\nlr = 0.5\n")
    def shown(result) -> str:  # type: ignore[no-untyped-def]
        return result.stdout + "".join(o.get("text/plain", "") for o in result.outputs)

    listed = shell.run("%runs")
    assert "small" in shown(listed) and "large" in shown(listed)
    filtered = shell.run("%runs params.lr > 0.2")
    assert "large" in shown(filtered) and "small" not in shown(filtered)
    bad = shell.run("%runs params.lr >")
    assert bad.error is None and "position 11" in shown(bad)


@pytest.mark.parametrize(("mode", "shown"), [("last_expr", [3]), ("all", [1, 3]), ("none", []),
                                             ("last_expr_or_assign", [7])])
def test_values_are_displayed_as_ipython_would(shell, mode, shown) -> None:
    shell.ip.ast_node_interactivity = mode
    try:
        cell = shell.run("%%track --quiet\n1\nx = 2\n3\ny = 7\n" if mode == "last_expr_or_assign"
                         else "%%track --quiet\n1\nx = 2\n3\n")
    finally:
        shell.ip.ast_node_interactivity = "last_expr"
    assert cell.error is None
    assert [int(line.split(": ")[-1]) for line in cell.stdout.splitlines() if line.startswith("Out[")] == shown


def test_each_tracked_cell_records_its_session_so_far_also_after_a_reset(shell, store) -> None:
    """Records are extended per cell (and share their cells in the store): every run still reads
    back all the session ran up to it, and a reset starts the record again, even when the
    same cell texts are run again (they are the same string objects)."""
    plain, tracked = "y = 2", "%%track --quiet\nx = 1"
    for _ in range(3):
        assert shell.run(plain).error is None and shell.run(tracked).error is None
    first = sorted(store.search_runs(), key=lambda r: r.started_at)
    assert [len(store.execution_record(r.id)) for r in first] == [3, 5, 7]  # the import cell first
    shell.ip.reset(new_session=True)
    for _ in range(4):
        assert shell.run(plain).error is None
    assert shell.run(tracked).error is None
    last = max(store.search_runs(), key=lambda r: r.started_at)
    assert [c.source for c in store.execution_record(last.id)] == [plain] * 4 + [tracked]
    assert [c.source for c in store.snapshot(last.id).cells] == [plain] * 4 + [tracked]
