"""``mlops.check``: gates of a run against baselines named every way, and what it refuses."""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import FilterSyntaxError, InvalidInput, MlopsError
from jupyter_mlops.gates.refs import BaselineNotFound, RunNotEnded

from .conftest import MakeRun


@pytest.fixture
def runs(make_run: MakeRun, store_dir: Path) -> dict[str, str]:
    base = make_run("base", {"val_acc": 0.90, "val_loss": 0.30}, {"lr": 0.1}, model="v1")
    mlops.register_model("digits", run=base, artifact="model.pkl", alias="production", store=os.fspath(store_dir))
    # the tests below name runs by a prefix of their id; ids made in one millisecond differ in
    # their last character only, so each run is made in a millisecond of its own
    time.sleep(0.002)
    better = make_run("better", {"val_acc": 0.95, "val_loss": 0.20}, {"lr": 0.05})
    time.sleep(0.002)
    worse = make_run("worse", {"val_acc": 0.897, "val_loss": 0.31}, {"lr": 0.3})
    return {"base": base, "better": better, "worse": worse}


def test_a_better_run_passes_and_a_worse_one_fails_against_the_model_in_production(
        runs: dict[str, str], store_dir: Path) -> None:
    store = os.fspath(store_dir)
    result = mlops.check(runs["better"], "model:digits@production", store=store)
    assert result.passed and result.baseline is not None and result.baseline.id == runs["base"]
    assert [(g.name, g.passed) for g in result.gates] == [
        ("status", True), ("metrics.val_acc", True), ("metrics.val_loss", True)]
    acc = result.gates[1]
    assert acc.value == 0.95 and acc.baseline == 0.90 and acc.delta == pytest.approx(0.05) and acc.direction == "max"

    result = mlops.check(runs["worse"], "model:digits/1", store=store)
    assert not result.passed
    assert [g.name for g in result.failed] == ["metrics.val_acc", "metrics.val_loss"]
    assert "worse than the baseline by 0.003" in result.failed[0].detail


def test_a_regression_within_the_limit_passes_absolute_and_relative(runs: dict[str, str], store_dir: Path) -> None:
    store = os.fspath(store_dir)
    assert mlops.check(runs["worse"], runs["base"], max_regression={"metrics.val_acc": 0.005}, store=store).passed
    assert not mlops.check(runs["worse"], runs["base"], max_regression={"val_acc": 0.002}, store=store).passed
    assert mlops.check(runs["worse"], runs["base"], max_regression={"val_acc": "0.5%"}, store=store).passed
    assert not mlops.check(runs["worse"], runs["base"], max_regression={"val_acc": "0.2%"}, store=store).passed
    # val_loss went up 0.01 from 0.30: 3.3 %, which lower-is-better counts as a regression
    assert not mlops.check(runs["worse"], runs["base"], max_regression={"val_loss": "3%"}, store=store).passed
    assert mlops.check(runs["worse"], runs["base"], max_regression={"val_loss": "3.4%"}, store=store).passed


def test_an_explicit_direction_wins_over_the_metric_name(runs: dict[str, str], store_dir: Path) -> None:
    store = os.fspath(store_dir)
    flipped = mlops.check(runs["worse"], runs["base"], max_regression={"val_loss": 0}, higher_is_better=["val_loss"],
                          store=store)
    assert flipped.passed and flipped.gates[1].direction == "max"
    with pytest.raises(InvalidInput, match="both higher- and lower-is-better"):
        mlops.check(runs["worse"], runs["base"], higher_is_better=["val_loss"], lower_is_better=["metrics.val_loss"],
                    store=store)


def test_requirements_are_decided_by_the_store_filter(runs: dict[str, str], store_dir: Path) -> None:
    store = os.fspath(store_dir)
    result = mlops.check(runs["better"], require=["metrics.val_acc >= 0.9 and params.lr <= 0.1",
                                                  "metrics.val_loss < 0.1"], store=store)
    assert [g.passed for g in result.gates] == [True, True, False]
    assert result.gates[1].value == {"metrics.val_acc": 0.95, "params.lr": 0.05}
    assert mlops.check(runs["better"], require="tags.stage is null", store=store).passed
    with pytest.raises(FilterSyntaxError, match="position"):
        mlops.check(runs["better"], require=["metrics.val_acc >="], store=store)


def test_best_and_latest_references(runs: dict[str, str], make_run: MakeRun, store_dir: Path) -> None:
    store = os.fspath(store_dir)
    result = mlops.check("latest:name = 'worse'", "best:metrics.val_acc desc", store=store)
    assert result.run.id == runs["worse"] and result.baseline.id == runs["better"]  # type: ignore[union-attr]
    # the run itself is never its own best baseline, and other experiments do not count
    make_run("elsewhere", {"val_acc": 0.99}, experiment="other")
    result = mlops.check(runs["better"], "best:metrics.val_acc desc", max_regression={"val_acc": 0}, store=store)
    assert result.baseline.id == runs["base"] and result.passed  # type: ignore[union-attr]
    assert mlops.check(runs["better"][:-1], runs["base"][:-1], store=store).run.id == runs["better"]


@pytest.mark.parametrize(("baseline", "message"), [
    ("model:digits@staging", "resolves to nothing: model 'digits' has no alias 'staging'"),
    ("model:nope@production", "resolves to nothing"),
    ("model:digits/7", "resolves to nothing"),
    ("model:digits", "name the version"),
    ("best:metrics.val_acc desc", "has no other finished run"),
    ("zzzzzzzzzzzz", "no run has that id"),
    ("latest:name = 'base'", "latest: names the run to check"),
])
def test_a_baseline_that_resolves_to_nothing_says_so(runs: dict[str, str], make_run: MakeRun, store_dir: Path,
                                                     baseline: str, message: str) -> None:
    lonely = make_run("lonely", {"val_acc": 0.5}, experiment="alone")
    with pytest.raises(InvalidInput, match=message):
        mlops.check(lonely, baseline, store=os.fspath(store_dir))


def test_unknown_metrics_name_the_runs_metrics(runs: dict[str, str], make_run: MakeRun, store_dir: Path) -> None:
    store = os.fspath(store_dir)
    with pytest.raises(InvalidInput, match=r"run \w+ has no metric 'acc'; its metrics: val_acc, val_loss"):
        mlops.check(runs["better"], runs["base"], max_regression={"acc": 0.01}, store=store)
    with pytest.raises(InvalidInput, match="has no metric 'f1'; its metrics: val_acc, val_loss"):
        mlops.check(runs["better"], require=["metrics.f1 > 0.5"], store=store)
    with pytest.raises(InvalidInput, match="has no param 'epochs'; its params: lr"):
        mlops.check(runs["better"], require=["params.epochs > 5"], store=store)
    other = make_run("f1 only", {"f1": 0.5})
    with pytest.raises(InvalidInput, match=r"baseline run \w+ has no metric 'val_acc'; its metrics: f1"):
        mlops.check(runs["better"], other, max_regression={"val_acc": 0.01}, store=store)
    with pytest.raises(InvalidInput, match="share no metric"):
        mlops.check(runs["better"], other, store=store)


@pytest.mark.parametrize("limit", ["-1", "abc", "nan", "inf%", ""])
def test_bad_limits_are_refused(runs: dict[str, str], store_dir: Path, limit: str) -> None:
    with pytest.raises(InvalidInput, match="regression limit"):
        mlops.check(runs["better"], runs["base"], max_regression={"val_acc": limit}, store=os.fspath(store_dir))


def test_nothing_to_check_and_limits_without_a_baseline_are_refused(runs: dict[str, str], store_dir: Path) -> None:
    with pytest.raises(InvalidInput, match="nothing to check"):
        mlops.check(runs["better"], store=os.fspath(store_dir))
    with pytest.raises(InvalidInput, match="compares with a baseline"):
        mlops.check(runs["better"], max_regression={"val_acc": 0}, store=os.fspath(store_dir))


def test_a_failed_run_fails_its_status_gate_and_nan_never_passes(make_run: MakeRun, store_dir: Path) -> None:
    store = os.fspath(store_dir)
    base = make_run("base", {"val_acc": 0.9})
    with pytest.raises(ZeroDivisionError), mlops.start_run(name="broken", experiment="digits", store=store):
        mlops.log_metric("val_acc", 0.99)
        1 / 0  # noqa: B018
    result = mlops.check("latest:name = 'broken'", base, store=store)
    assert [(g.name, g.passed) for g in result.gates] == [("status", False), ("metrics.val_acc", True)]
    assert result.gates[0].detail == "the run failed, it did not finish"
    diverged = make_run("diverged", {"val_acc": math.nan})
    gate = mlops.check(diverged, base, store=store).gates[1]
    assert not gate.passed and gate.detail == "not a finite number in the run"


def test_a_running_run_is_refused_or_waited_for(make_run: MakeRun, store_dir: Path) -> None:
    store = os.fspath(store_dir)
    base = make_run("base", {"val_acc": 0.9})
    run = mlops.start_run(name="training", experiment="digits", store=store)
    mlops.log_metric("val_acc", 0.91)
    with pytest.raises(RunNotEnded, match="still running; wait for it with --wait SECONDS"):
        mlops.check(run.id, base, store=store)
    with pytest.raises(RunNotEnded, match="still running after waiting 0.3 s"):
        mlops.check(run.id, base, wait=0.3, store=store)
    assert isinstance(RunNotEnded("x"), MlopsError)

    ender = threading.Timer(0.3, mlops.end_run)
    ender.start()
    started = time.monotonic()
    result = mlops.check(run.id, base, wait=30, store=store)
    ender.join()
    assert result.passed and result.run.status == "finished" and time.monotonic() - started < 10


def test_baseline_errors_are_usage_errors(runs: dict[str, str], store_dir: Path) -> None:
    assert issubclass(BaselineNotFound, InvalidInput)
    with pytest.raises(InvalidInput, match="name a run"):
        mlops.check("", runs["base"], store=os.fspath(store_dir))
    with pytest.raises(InvalidInput, match="no run matches the filter"):
        mlops.check("latest:name = 'nobody'", runs["base"], store=os.fspath(store_dir))


def test_gates_on_sqlite_and_postgresql(store_location: str, tmp_path: Path) -> None:
    """The requirement is the store's own filter, so it is decided by each database's SQL."""
    runs = []
    for name, acc in (("base", 0.9), ("candidate", 0.92)):
        with mlops.start_run(name=name, experiment="digits", params={"lr": 0.1, "opt": "adam"},
                             store=store_location) as run:
            mlops.log_metrics({"val_acc": acc, "val_loss": 1 - acc})
            (tmp_path / "model.pkl").write_text(name)
            mlops.log_artifact(tmp_path / "model.pkl")
        runs.append(run.id)
    mlops.register_model("digits", run=runs[0], artifact="model.pkl", alias="production", store=store_location)
    result = mlops.check("latest:name = 'candidate'", "model:digits@production",
                         require=["params.opt IN ('adam', 'sgd') and metrics.val_acc >= 0.92",
                                  "params.lr > 0.1"],
                         max_regression={"val_loss": "0%"}, store=store_location)
    assert [(g.name, g.passed) for g in result.gates] == [
        ("status", True), ("params.opt IN ('adam', 'sgd') and metrics.val_acc >= 0.92", True),
        ("params.lr > 0.1", False), ("metrics.val_loss", True)]
    assert mlops.check(runs[1], "best:metrics.val_acc desc", store=store_location).baseline.id == runs[0]  # type: ignore[union-attr]
