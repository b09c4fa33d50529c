"""``jupyter mlops reproduce RUN``: a run's stored notebook executed again in a fresh kernel with
its own params, every metric compared; the verdict stored on the run as ``mlops.reproduced``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.store import open_store
from tests.support.runner import write_notebook

SEEDED = (
    "import random\nimport jupyter_mlops as mlops\nrandom.seed(seed)\n"
    "for step in range(epochs):\n    mlops.log_metric('loss', random.random(), step=step)\n"
    "mlops.log_metric('acc', 0.5 + lr)"
)
UNSEEDED = (  # the seed is a parameter, but nothing sets it
    "import random\nimport jupyter_mlops as mlops\n"
    "for step in range(epochs):\n    mlops.log_metric('loss', random.random(), step=step)\n"
    "mlops.log_metric('acc', 0.5 + lr)"
)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def runner_run(store: Any, path: Path, *args: str) -> str:
    assert main(["run", os.fspath(path), *args, "--store", store.location]) == 0
    return store.search_runs(limit=1)[0].id


def test_a_deterministic_notebook_is_reproduced(store, tmp_path, capsys):
    path = write_notebook(tmp_path / "seeded.ipynb", "lr = 0.1\nepochs = 4\nseed = 1", SEEDED)
    run_id = runner_run(store, path, "-p", "seed", "7", "-p", "lr", "0.2")
    capsys.readouterr()
    path.write_text("{}")  # today's file is not what ran: the snapshot is

    code, out, err = cli(capsys, "reproduce", run_id, "--store", store.location, "--format", "json")
    assert code == 0, err
    verdict = json.loads(out)
    assert verdict["verdict"] == "reproduced" and verdict["differences"] == []
    assert verdict["compared"] == ["acc", "loss"]  # never the system metrics
    child = store.get_run(verdict["reproduction_id"])
    assert child.parent_id == run_id and child.tags["reproduces"] == run_id
    assert child.name == "seeded (reproduction)"
    assert child.params["seed"] == 7 and child.params["lr"] == 0.2  # the run's own params
    assert list(store.metric_history(child.id, "loss").values) == list(store.metric_history(run_id, "loss").values)
    assert store.get_run(run_id).tags["mlops.reproduced"] == "yes"

    code, out, _ = cli(capsys, "show", run_id, "--store", store.location)
    assert "status      finished  [reproduced]" in out


def test_a_notebook_whose_seed_is_never_set_differs_naming_the_metric(store, tmp_path, capsys):
    path = write_notebook(tmp_path / "unseeded.ipynb", "lr = 0.1\nepochs = 3\nseed = 1", UNSEEDED)
    run_id = runner_run(store, path)
    capsys.readouterr()

    code, out, err = cli(capsys, "reproduce", run_id, "--store", store.location, "--tolerance", "0.1%")
    assert code == 1, err
    assert out.startswith(f"run {run_id} differs: 1 of 2 metrics outside the tolerance 0.001")
    line = next(line for line in out.splitlines() if line.strip().startswith("loss"))
    assert "last value" in line and "series differs most at step" in line and "%)" in line
    assert "acc" not in out.split("\n", 1)[1]  # acc agreed: only loss is named
    assert store.get_run(run_id).tags["mlops.reproduced"] == "no"
    assert "likely causes" not in out  # a runner run ran top to bottom: nothing to explain

    code, out, _ = cli(capsys, "show", run_id, "--store", store.location)
    assert "[differs]" in out


def test_a_failing_reproduction_is_failed(store, tmp_path, capsys):
    flag = tmp_path / "present.txt"
    flag.write_text("x")
    path = write_notebook(tmp_path / "needs_file.ipynb", None,
                          "import jupyter_mlops as mlops\n"
                          f"mlops.log_metric('size', len(open({os.fspath(flag)!r}).read()))")
    run_id = runner_run(store, path)
    flag.unlink()
    capsys.readouterr()
    code, out, err = cli(capsys, "reproduce", run_id, "--store", store.location)
    assert code == 1, err
    assert "failed: FileNotFoundError" in out.splitlines()[0]
    assert store.get_run(run_id).tags["mlops.reproduced"] == "failed"


def test_a_track_run_whose_cells_ran_out_of_order_differs_naming_those_cells(
    ipython_shell, tmp_path, monkeypatch, capsys
):
    cells = ["import jupyter_mlops as mlops\n%load_ext jupyter_mlops", "x = 1", "x = x * 10",
             "%%track --name explore --metric y\ny = x + 1"]
    path = write_notebook(tmp_path / "explore.ipynb", None, *cells)
    store_dir = tmp_path / ".mlops"
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", os.fspath(store_dir))
    monkeypatch.setenv("JUPYTER_MLOPS_NOTEBOOK", os.fspath(path))
    monkeypatch.chdir(tmp_path)
    ipython_shell.reset(new_session=True)
    # the session: x = 1, x = x * 10, then x = 1 again (above the cell before), then the tracked cell
    for source in (cells[0], cells[1], cells[2], cells[1], cells[3]):
        result = ipython_shell.run_cell(source, store_history=True)
        assert result.success
    store = open_store(os.fspath(store_dir))
    run = store.search_runs(limit=1)[0]
    assert run.source == "cell" and run.metrics["y"] == 2
    capsys.readouterr()

    code, out, err = cli(capsys, "reproduce", run.id, "--format", "json")
    assert code == 1, err
    verdict = json.loads(out)
    assert verdict["verdict"] == "differs"
    assert [(d["key"], d["original"], d["reproduced"]) for d in verdict["differences"]] == [("y", 2.0, 11.0)]
    assert [(c["kind"], c["execution_count"], c["source"]) for c in verdict["likely_causes"]] == [
        ("out_of_order", 4, "x = 1")
    ]
    code, out, _ = cli(capsys, "reproduce", run.id)
    assert code == 1
    assert "likely causes, from the execution record of the interactive session:\n  [4] x = 1  ran out of order" in out


def test_edited_and_deleted_cells_are_likely_causes(ipython_shell, tmp_path, monkeypatch):
    import nbformat

    from jupyter_mlops.runner.reproduction import likely_causes

    path = write_notebook(tmp_path / "edited.ipynb", None, "a = 1", "%%track --metric b\nb = a")
    saved = nbformat.read(path, as_version=4)
    saved.cells[0].execution_count, saved.cells[1].execution_count = 1, 3  # as the session saved it
    nbformat.write(saved, path)
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", os.fspath(tmp_path / ".mlops"))
    monkeypatch.setenv("JUPYTER_MLOPS_NOTEBOOK", os.fspath(path))
    ipython_shell.reset(new_session=True)
    for source in ("a = 5", "helper = 3", "%%track --metric b\nb = a"):
        ipython_shell.run_cell(source, store_history=True)
    store = open_store(os.fspath(tmp_path / ".mlops"))
    run = store.search_runs(limit=1)[0]
    causes = [(c.kind, c.source) for c in likely_causes(store, run)]
    # "a = 5" ran as execution 1, whose cell now reads "a = 1"; "helper = 3" is in no cell
    assert ("missing", "helper = 3") in causes
    assert causes == [("stale", "a = 5"), ("missing", "helper = 3")], causes


@pytest.fixture
def shaped_store(store, tmp_path):
    """Runs the bad inputs point at: two sharing a prefix, one running, one without a snapshot."""
    store.create_run("abcd000000001", name="a", experiment="e", source="notebook")
    store.end_run("abcd000000001", "finished")
    store.create_run("abcd000000002", name="b", experiment="e", source="notebook")
    store.end_run("abcd000000002", "finished")
    store.create_run("runs000000003", name="busy", experiment="e", source="notebook")
    return store


@pytest.mark.parametrize(("args", "message"), [
    (["nosuchrun00000"], "no run with id 'nosuchrun00000'"),
    (["abcd"], "run id 'abcd' is ambiguous: matches 2 runs"),
    (["runs000000003"], "run runs000000003 is still running; reproduce it once it has ended"),
    (["abcd000000001"], "run abcd000000001 has no notebook snapshot"),
    (["abcd000000001", "--tolerance", "-0.1"], "tolerance '-0.1' must be a finite number of at least 0"),
    (["abcd000000001", "--tolerance", "inf"], "tolerance 'inf' must be a finite number"),
    (["abcd000000001", "--tolerance", "<b>1</b>"], "tolerance '<b>1</b>' is not a number"),
    (["abcd000000001", "--tolerance", "9" * 400], "is not a number"),
])
def test_bad_input_is_one_clear_line_exit_2_and_nothing_stored(shaped_store, capsys, args, message):
    before = [(r.id, r.status, dict(r.tags)) for r in shaped_store.search_runs()]
    code, out, err = cli(capsys, "reproduce", *args, "--store", shaped_store.location)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("jupyter mlops reproduce: error: ") and message in err
    assert [(r.id, r.status, dict(r.tags)) for r in shaped_store.search_runs()] == before


def test_tolerances_parse_as_numbers_or_percentages():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jupyter_mlops.compare.tolerance import parse_tolerance
    from jupyter_mlops.errors import InvalidInput

    assert parse_tolerance("0.5%") == pytest.approx(0.005) and parse_tolerance(0) == 0.0

    @given(st.one_of(st.text(max_size=50), st.floats(), st.integers()))
    def never_crashes(value: Any) -> None:
        try:
            number = parse_tolerance(value)
        except InvalidInput:
            return
        assert number >= 0 and number == number and number != float("inf")

    settings(max_examples=60, deadline=None)(never_crashes)()


def test_series_compare_steps_and_values_within_the_tolerance():
    from jupyter_mlops.compare.tolerance import metric_differences

    def series(data: dict[str, tuple[list[int], list[float]]]) -> Any:
        return lambda key: data[key]

    same = {"loss": ([0, 1, 2], [3.0, 2.0, 1.0]), "nan": ([0], [float("nan")])}
    other = {"loss": ([0, 1, 2], [3.0, 2.5, 1.0]), "nan": ([0], [float("nan")])}
    last = {"loss": 1.0, "nan": float("nan"), "system/cpu": 5.0}
    assert metric_differences(last, last, 0.0, series(same), series(same)) == []
    [loss] = metric_differences(last, {**last, "system/cpu": 9.0}, 0.1, series(same), series(other))
    assert loss.key == "loss" and loss.relative == pytest.approx(0.2) and "step 1: 2 vs 2.5" in loss.detail
    assert metric_differences(last, last, 0.25, series(same), series(other)) == []
    fewer = {**same, "loss": ([0, 1], [3.0, 2.0])}
    [short] = metric_differences(last, last, 0.5, series(same), series(fewer))
    assert "3 points in the original, 2 in the reproduction" in short.detail
    [gone] = metric_differences(last, {"nan": float("nan")}, 0.5, series(same), series(same))
    assert gone.key == "loss" and gone.reproduced is None


def test_a_stopped_reproduction_stores_no_verdict_and_a_finished_one_is_judged_from_the_store(store):
    from array import array

    from jupyter_mlops.runner.reproduction import judge, latest_reproduction

    store.create_run("orig000000001", name="o", experiment="e", source="notebook")
    store.write_metrics({("orig000000001", "acc"): (array("q", [0]), array("d", [0.5]), array("d", [1.0]))})
    store.end_run("orig000000001", "finished")
    store.create_run("repr000000001", name="o (reproduction)", experiment="e", parent_id="orig000000001",
                     source="notebook", tags={"reproduces": "orig000000001", "mlops.tolerance": "0.01"})
    store.end_run("repr000000001", "interrupted")
    assert judge(store, "orig000000001", "repr000000001", 0.01).verdict == "failed"
    assert latest_reproduction(store, "orig000000001").tolerance == 0.01
    assert "mlops.reproduced" not in store.get_run("orig000000001").tags  # Ctrl-C says nothing

    store.create_run("repr000000002", name="o (reproduction)", experiment="e", parent_id="orig000000001",
                     source="notebook", tags={"reproduces": "orig000000001"}, started_at=2e9)
    store.write_metrics({("repr000000002", "acc"): (array("q", [0]), array("d", [0.504]), array("d", [2.0]))})
    store.end_run("repr000000002", "finished")
    newest = latest_reproduction(store, "orig000000001")  # the newest, as the process that ran it left it
    assert newest.reproduction_id == "repr000000002" and newest.verdict == "differs"
    assert store.get_run("orig000000001").tags["mlops.reproduced"] == "no"
    assert judge(store, "gone000000001", "repr000000002", 0.01) is None  # the original was deleted
