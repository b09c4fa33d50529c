"""The example project's pipeline: it reads data/raw.csv and registers its model; changing the
raw data makes the next run prepare and train again and say why; the model's lineage leads
back to the data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlops.cli import main

pytestmark = pytest.mark.slow
pytest.importorskip("sklearn")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits"


def test_changed_raw_data_reruns_prepare_and_train_and_the_model_leads_back_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    project = tmp_path / "digits"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".mlops", "data", "models", "confusion.json"))
    monkeypatch.chdir(project)
    subprocess.check_call([sys.executable, "make_raw.py"])
    store = str(project / ".mlops")
    assert main(["pipeline", "pipeline.yaml", "--store", store]) == 0
    capsys.readouterr()
    raw = project / "data" / "raw.csv"
    assert raw.read_text().startswith("p0,p1,")
    lines = raw.read_text().splitlines(keepends=True)
    raw.write_text("".join(lines[:-100]))

    assert main(["pipeline", "pipeline.yaml", "--store", store]) == 0
    err = capsys.readouterr().err
    assert "prepare: data/raw.csv changed" in err
    assert "train: data/digits-0-0.2.npz changed" in err

    assert main(["lineage", "models:/digits@candidate", "--store", store, "--format", "json"]) == 0
    graph = json.loads(capsys.readouterr().out)
    nodes = {n["id"]: n for n in graph["nodes"]}
    edges = {(nodes[e["source"]]["label"], e["kind"], nodes[e["target"]]["label"]) for e in graph["edges"]}
    assert ("data/raw.csv", "read", "prepare") in edges
    assert ("prepare", "wrote", "data/digits-0-0.2.npz") in edges
    assert ("data/digits-0-0.2.npz", "read", "train") in edges
    assert ("train", "registered", "digits v2 @candidate") in edges
    assert main(["lineage", "models:/digits@candidate", "--store", store]) == 0
    text = capsys.readouterr().out
    assert text.index("data/raw.csv") < text.index("'prepare'") < text.index("'train'") < text.index("digits v2 @candidate")
