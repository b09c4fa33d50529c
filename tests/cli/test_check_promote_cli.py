"""``jupyter mlops check`` and ``promote``: exit 0 on pass, 1 on a failed gate, 2 with one line
naming what was wrong; promote registers and moves the alias only when the gates hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main


def _run(store: str, tmp_path: Path, name: str, acc: float, loss: float, model: str | None = None) -> str:
    with mlops.start_run(name=name, experiment="digits", params={"lr": acc / 10}, store=store) as run:
        mlops.log_metrics({"val_acc": acc, "val_loss": loss})
        if model is not None:
            (tmp_path / "model.pkl").write_text(model)
            mlops.log_artifact(tmp_path / "model.pkl")
    return run.id


@pytest.fixture
def project(store_dir: Path, tmp_path: Path) -> tuple[str, dict[str, str]]:
    store = os.fspath(store_dir)
    base = _run(store, tmp_path, "base", 0.90, 0.30, model="v1")
    mlops.register_model("digits", run=base, artifact="model.pkl", alias="production", store=store)
    return store, {"base": base, "better": _run(store, tmp_path, "better", 0.95, 0.20, model="v2"),
                   "worse": _run(store, tmp_path, "worse", 0.897, 0.31, model="v3")}


def test_check_exits_0_on_pass_and_1_on_fail_in_every_format(project: tuple[str, dict[str, str]],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    store, ids = project
    assert main(["check", ids["better"], "--baseline", "model:digits@production", "--store", store]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"check passed: run {ids['better']} (better) against {ids['base']} (base)")
    assert "metrics.val_acc" in out and "+0.05" in out

    assert main(["check", ids["worse"], "--baseline", "model:digits@production", "--max-regression",
                 "metrics.val_acc=0.001", "--format", "json", "--store", store]) == 1
    shown = json.loads(capsys.readouterr().out)
    assert shown["passed"] is False and shown["baseline"]["id"] == ids["base"]
    assert [(g["name"], g["passed"], g["limit"]) for g in shown["gates"]] == [
        ("status", True, None), ("metrics.val_acc", False, "0.001")]

    assert main(["check", "latest:name = 'worse'", "--baseline", "best:metrics.val_acc desc", "--max-regression",
                 "val_acc=10%", "--require", "metrics.val_loss < 0.5", "--format", "markdown", "--store", store]) == 0
    md = capsys.readouterr().out
    assert md.startswith("**Check ✅ passed**")
    assert "| ✅ pass | metrics.val\\_loss &lt; 0.5 | metrics.val\\_loss=0.31 |" in md

    assert main(["check", ids["worse"], "--baseline", ids["base"], "--max-regression", "val_loss=0.05",
                 "--lower-is-better", "val_acc", "--store", store]) == 0
    assert main(["check", ids["worse"], "--require", "params.lr > 1", "--store", store]) == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["--baseline", "model:digits@staging"], "baseline 'model:digits@staging' resolves to nothing"),
    (["--baseline", "BASE", "--max-regression", "acc=0.1"], "has no metric 'acc'; its metrics: val_acc, val_loss"),
    (["--baseline", "BASE", "--max-regression", "val_acc"], "takes METRIC=DELTA"),
    (["--baseline", "BASE", "--max-regression", "val_acc=-1"], "zero or more"),
    (["--require", "metrics.val_acc >"], "at position 17"),
    (["--require", "metrics.nope > 1"], "has no metric 'nope'"),
    (["--baseline", "BASE", "--higher-is-better", "val_loss", "--lower-is-better", "val_loss"], "name it once"),
    ([], "nothing to check"),
    (["--baseline", "nosuchrun1234"], "resolves to nothing: no run has that id"),
])
def test_check_bad_usage_exits_2_naming_what_is_wrong(project: tuple[str, dict[str, str]],
                                                      capsys: pytest.CaptureFixture[str], argv: list[str],
                                                      message: str) -> None:
    store, ids = project
    argv = [ids["base"] if arg == "BASE" else arg for arg in argv]
    assert main(["check", ids["worse"], *argv, "--store", store]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and "Traceback" not in captured.err


def test_check_of_an_unknown_or_running_run_exits_2(project: tuple[str, dict[str, str]],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    store, ids = project
    assert main(["check", "latest:name = 'ghost'", "--baseline", ids["base"], "--store", store]) == 2
    assert "no run matches the filter" in capsys.readouterr().err
    running = mlops.start_run(name="still", experiment="digits", store=store)
    mlops.log_metric("val_acc", 0.99)
    assert main(["check", running.id, "--baseline", ids["base"], "--store", store]) == 2
    assert "still running; wait for it with --wait SECONDS" in capsys.readouterr().err
    assert main(["check", running.id, "--baseline", ids["base"], "--wait", "0.2", "--store", store]) == 2
    assert "after waiting 0.2 s" in capsys.readouterr().err
    mlops.end_run()
    assert main(["check", running.id, "--baseline", ids["base"], "--max-regression", "val_acc=0",
                 "--wait", "5", "--store", store]) == 0


def _aliases(store: str) -> tuple[dict[str, int], list[tuple[str, int | None, int | None]]]:
    model = mlops.get_store(store).models.get("digits")
    return model.aliases, [(m.alias, m.from_version, m.to_version) for m in model.alias_history]


def test_promote_moves_the_alias_only_when_the_gates_hold(project: tuple[str, dict[str, str]], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    store, ids = project
    gates = ["--baseline", "model:digits@production", "--max-regression", "val_acc=0.001"]
    assert main(["promote", ids["worse"], "--model", "digits", "--artifact", "model.pkl", "--alias", "production",
                 *gates, "--store", store]) == 1
    assert capsys.readouterr().out.endswith("not promoted: 1 gate(s) failed; digits@production stays at version 1\n")
    assert _aliases(store) == ({"production": 1}, [("production", None, 1)])
    assert len(mlops.get_store(store).models.get("digits").versions) == 1

    assert main(["promote", ids["better"], "--model", "digits", "--artifact", "model.pkl", "--alias", "production",
                 *gates, "--store", store]) == 0
    assert capsys.readouterr().out.endswith(
        f"promoted: digits@production moved from version 1 to version 2 (model.pkl of run {ids['better']})\n")
    assert _aliases(store) == ({"production": 2}, [("production", None, 1), ("production", 1, 2)])
    assert (mlops.get_model("digits@production", store=store).path().read_text()) == "v2"

    # a file path: logged to the run first, then registered; a new alias is created
    weights = tmp_path / "exported.bin"
    weights.write_text("v2-exported")
    assert main(["promote", ids["better"], "--model", "digits", "--artifact", str(weights), "--alias", "staging",
                 "--require", "metrics.val_acc >= 0.9", "--format", "json", "--store", store]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["promoted"], shown["from_version"], shown["to_version"], shown["artifact"]) == (
        True, None, 3, "exported.bin")
    assert "exported.bin" in [a.name for a in mlops.get_store(store).artifacts(ids["better"])]

    # promoting the same bytes again moves nothing
    assert main(["promote", ids["better"], "--model", "digits", "--artifact", "model.pkl", "--alias", "production",
                 *gates, "--store", store]) == 0
    assert "already pointed at version 2" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--artifact", "missing.pkl"], "has no artifact named 'missing.pkl' and there is no file 'missing.pkl'; "
                                    "its artifacts: model.pkl"),
    (["--model", "bad name!"], "model name"),
    (["--alias", "not-an-identifier"], "alias"),
    (["--baseline", "model:digits@nope"], "resolves to nothing"),
    (["--max-regression", "f1=0.1"], "has no metric 'f1'"),
])
def test_promote_bad_usage_exits_2_and_registers_nothing(project: tuple[str, dict[str, str]],
                                                         capsys: pytest.CaptureFixture[str], argv: list[str],
                                                         message: str) -> None:
    store, ids = project
    options = {"--model": "digits", "--artifact": "model.pkl", "--alias": "production",
               "--baseline": "model:digits@production"}
    extra = []
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        if flag in options:
            options[flag] = value
        else:
            extra += [flag, value]
    args = [item for pair in options.items() for item in pair]
    assert main(["promote", ids["better"], *args, *extra, "--store", store]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert _aliases(store) == ({"production": 1}, [("production", None, 1)])
