from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main


@pytest.fixture
def populated(store_dir: Path) -> Path:
    for lr, acc in ((0.1, 0.9), (0.01, 0.7)):
        with mlops.start_run(name=f"lr-{lr}", experiment="cli", params={"lr": lr, "opt": "adam"},
                             store=store_dir):
            mlops.log_metric("acc", acc)
    return store_dir


def test_runs_as_a_table(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--store", str(populated), "--order-by", "metrics.acc desc"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "experiment", "status", "started", "duration", "params.lr",
                                "params.opt", "metrics.acc"]
    assert "lr-0.1" in lines[2] and "0.9" in lines[2]
    assert "lr-0.01" in lines[3]


def test_runs_as_json_and_csv(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--store", str(populated), "--format", "json", "--filter", "params.lr < 0.05"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    assert run["params"] == {"lr": 0.01, "opt": "adam"} and run["metrics"] == {"acc": 0.7}
    assert main(["runs", "--store", str(populated), "--format", "csv", "--order-by", "params.lr"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["params.lr"] for r in rows] == ["0.01", "0.1"]
    assert rows[0]["metrics.acc"] == "0.7"


def test_show_a_run(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = mlops.get_store(populated).search_runs(order_by="params.lr")[0]
    assert main(["show", run.id[:8] + run.id[8:], "--store", str(populated)]) == 0
    out = capsys.readouterr().out
    assert f"run {run.id}  lr-0.01" in out and "acc  0.7" in out and "python" in out
    assert main(["show", run.id, "--store", str(populated), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == run.id


def test_bad_input_exits_2_with_the_reason(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--store", str(populated), "--filter", "metrics.acc >"]) == 2
    assert "expected a value" in capsys.readouterr().err
    assert main(["show", "nosuchrun", "--store", str(populated)]) == 2
    assert "no run with id 'nosuchrun'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["runs", "--format", "xml"])
    assert caught.value.code == 2


def test_installed_as_jupyter_subcommand(populated: Path) -> None:
    jupyter = Path(sys.executable).parent / "jupyter"
    out = subprocess.run([str(jupyter), "mlops", "runs", "--store", str(populated), "--format", "json"],
                         capture_output=True, text=True, check=True)
    assert len(json.loads(out.stdout)) == 2
    help_text = subprocess.run([str(jupyter), "mlops", "runs", "--help"], capture_output=True, text=True,
                               check=True).stdout
    assert "example:" in help_text


def test_top_level_help_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "COMMAND" in capsys.readouterr().out


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    from jupyter_mlops.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert {"runs", "show", "run", "sweep", "pipeline", "rerun", "diff", "export", "import", "enable"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as caught:
            main([name, "--help"])
        assert caught.value.code == 0, name
        out = capsys.readouterr().out
        assert "example" in out and "--store" in out, name
