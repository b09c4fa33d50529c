"""``jupyter mlops lineage`` and the user and files in ``jupyter mlops show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.capture import files as capture
from jupyter_mlops.cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """data/raw.csv -> prepare -> data/clean.csv -> train -> model.pkl, registered as digits@production."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(tmp_path / ".mlops"))
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    (tmp_path / "data").mkdir()
    Path("data/raw.csv").write_text("x\n1\n")
    with mlops.start_run("prepare") as prepare, mlops.capture_files():
        Path("data/clean.csv").write_text(Path("data/raw.csv").read_text() + "2\n")
    with mlops.start_run("train") as train:
        with mlops.capture_files():
            Path("data/clean.csv").read_text()
            Path("model.pkl").write_bytes(b"weights")
        mlops.register_model("digits", "model.pkl", alias="production")
    capture.flush()
    return prepare.id, train.id, str(tmp_path / ".mlops")


def test_text_lineage_of_a_file_reads_from_data_to_model(project, capsys) -> None:
    prepare, train, _ = project
    assert main(["lineage", "data/raw.csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("data/raw.csv  sha256:") and lines[0].endswith("<- start")
    assert lines[1].strip().startswith(f"read by run {prepare}  'prepare' (finished, ana)")
    assert lines[2].strip().startswith("wrote data/clean.csv  sha256:")
    assert lines[3].strip().startswith(f"read by run {train}  'train'")
    text = "\n".join(lines)
    assert "wrote model.pkl" in text and "registered model digits v1 @production" in text


def test_json_dot_and_every_kind_of_target(project, capsys) -> None:
    prepare, train, _ = project
    for target in (train, train[:-3], "models:/digits@production", "digits@production", "data/clean.csv"):
        assert main(["lineage", target, "--format", "json"]) == 0, target
        graph = json.loads(capsys.readouterr().out)
        assert {n["run_id"] for n in graph["nodes"] if n["kind"] == "run"} == {prepare, train}, target
    assert main(["lineage", prepare, "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph lineage {") and '-> "model:digits/1" [label="registered"]' in dot


@pytest.mark.parametrize("target", ["no/such/file.csv", "0000nosuchrun", "models:/nope/1", "nope@prod", " "])
def test_unknown_targets_exit_2_with_one_line(project, capsys, target: str) -> None:
    assert main(["lineage", target]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jupyter mlops lineage: error:"), err


def test_show_lists_user_and_files(project, capsys) -> None:
    prepare, _, _ = project
    assert main(["show", prepare]) == 0
    out = capsys.readouterr().out
    assert "  user        ana" in out
    assert "input   data/raw.csv  sha256:" in out and "output  data/clean.csv" in out
    assert main(["show", prepare, "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["user"] == "ana" and [f["path"] for f in record["files"]] == ["data/raw.csv", "data/clean.csv"]
    assert main(["runs", "--filter", "user = 'nobody'", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
