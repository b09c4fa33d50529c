"""``jupyter mlops models``: list, show, register, alias, download, and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main


@pytest.fixture
def trained(store_location: str, tmp_path: Path) -> tuple[str, list[str]]:
    run_ids = []
    for i in range(2):
        (tmp_path / "model.pkl").write_bytes(f"weights {i}".encode())
        with mlops.start_run(name=f"train-{i}", store=store_location) as run:
            mlops.log_artifact(tmp_path / "model.pkl")
        run_ids.append(run.id)
    return store_location, run_ids


def test_register_alias_show_list_and_download(trained: tuple[str, list[str]], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    store, (first, second) = trained
    assert main(["models", "register", first, "model.pkl", "--name", "churn", "--alias", "staging",
                 "--tag", "algo=rf", "--store", store]) == 0
    assert capsys.readouterr().out == f"churn version 1 (staging): model.pkl of run {first}\n"
    assert main(["models", "register", second, "model.pkl", "--name", "churn", "--store", store]) == 0
    assert main(["models", "alias", "churn", "production", "2", "--store", store]) == 0
    assert main(["models", "alias", "churn", "staging", "2", "--store", store]) == 0
    capsys.readouterr()

    assert main(["models", "list", "--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "latest", "aliases", "created"]
    assert lines[2].split()[:3] == ["churn", "2", "production=2,"]

    assert main(["models", "show", "churn", "--store", store]) == 0
    text = capsys.readouterr().out
    assert "model churn: 2 version(s)" in text and first in text and second in text
    assert "staging: - -> 1" in text and "staging: 1 -> 2" in text and "production: - -> 2" in text

    assert main(["models", "show", "churn", "--format", "json", "--store", store]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [v["run_id"] for v in shown["versions"]] == [second, first]
    assert shown["aliases"] == {"production": 2, "staging": 2}
    assert shown["versions"][1]["tags"] == {"algo": "rf"}
    assert [(m["alias"], m["from_version"], m["to_version"]) for m in shown["alias_history"]] == [
        ("staging", None, 1), ("production", None, 2), ("staging", 1, 2)]

    assert main(["models", "download", "models:/churn@production", str(tmp_path / "out.pkl"), "--store", store]) == 0
    assert (tmp_path / "out.pkl").read_bytes() == b"weights 1"
    folder = tmp_path / "into"
    folder.mkdir()
    assert main(["models", "download", "churn/1", str(folder), "--store", store]) == 0
    assert (folder / "model.pkl").read_bytes() == b"weights 0"
    assert main(["models", "download", "churn/2", str(folder), "--store", store]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["models", "download", "churn/2", str(folder), "--force", "--store", store]) == 0
    assert (folder / "model.pkl").read_bytes() == b"weights 1"

    assert main(["models", "alias", "churn", "staging", "--delete", "--store", store]) == 0
    assert "pointed at version 2" in capsys.readouterr().out
    assert main(["models", "--store", store]) == 0  # no verb: the list
    assert "production=2" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["models", "show", "nope"], "no registered model named 'nope'"),
    (["models", "alias", "churn", "prod-1", "1"], "not a Python identifier"),
    (["models", "alias", "churn", "prod", "9"], "has no version 9; its versions are 1 to 1"),
    (["models", "alias", "churn", "prod", "x"], "a whole number from 1 up"),
    (["models", "alias", "churn", "prod"], "name the VERSION"),
    (["models", "alias", "churn", "nope", "--delete"], "has no alias 'nope'"),
    (["models", "download", "churn@nope", "x"], "has no alias 'nope'"),
    (["models", "download", "models:/churn/first", "x"], "bad model URI"),
    (["models", "register", "RUN", "model.pkl", "--name", "bad name"], "only letters, digits"),
    (["models", "register", "RUN", "missing.pkl", "--name", "churn"], "has no artifact named 'missing.pkl'"),
    (["models", "register", "0000000000zzzzz", "model.pkl", "--name", "churn"], "no run with id"),
    (["models", "register", "RUN", "model.pkl", "--name", "c", "--tag", "novalue"], "--tag takes KEY=VALUE"),
])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(trained: tuple[str, list[str]], argv: list[str],
                                                             message: str, capsys: pytest.CaptureFixture[str]) -> None:
    store, (first, _) = trained
    assert main(["models", "register", first, "model.pkl", "--name", "churn", "--store", store]) == 0
    before = mlops.get_store(store).models.get("churn").to_dict()
    capsys.readouterr()
    argv = [first if part == "RUN" else part for part in argv]
    assert main([*argv, "--store", store]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert mlops.get_store(store).models.get("churn").to_dict() == before
    assert [m.name for m in mlops.get_store(store).models.list()] == ["churn"]


def test_the_installed_command_refuses_a_missing_verb_argument(store_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jupyter_mlops", "models", "show", "--store", str(store_dir)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "NAME" in done.stderr and "Traceback" not in done.stderr
