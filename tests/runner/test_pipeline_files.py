"""Pipelines and the files their steps read: runner kernels record them by themselves; a step
whose input files changed runs again and says why; ``--dry-run`` says what would run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.runner import run_pipeline

pytestmark = pytest.mark.slow

PREPARE = ("import pandas as pd\nframe = pd.read_csv('data/raw.csv')\n"
           "frame['y'] = frame['x'] * 2\nframe.to_csv('data/clean.csv', index=False)")
TRAIN = ("import pickle, jupyter_mlops as mlops\nrows = open('data/clean.csv').read().splitlines()\n"
         "pickle.dump(len(rows), open('model.pkl', 'wb'))\nmlops.log_metric('rows', len(rows))")
PIPELINE = """
name: files
steps:
  prepare: {notebook: prepare.ipynb}
  train: {notebook: train.ipynb, depends_on: [prepare]}
"""


@pytest.fixture
def project(notebook, tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw.csv").write_text("x\n1\n2\n")
    notebook("prepare", None, PREPARE)
    notebook("train", None, TRAIN)
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    return tmp_path


def test_steps_record_their_files_and_rerun_when_an_input_changes(capsys, store, project: Path) -> None:
    pipeline = os.fspath(project / "pipeline.yaml")
    first = run_pipeline(pipeline, store=store.location, progress=False)
    assert first.ok, first.steps
    prepare = store.get_run(first.steps["prepare"].run_id)
    assert {(f.role, f.path) for f in prepare.files()} == {("input", "data/raw.csv"), ("output", "data/clean.csv")}
    train = store.get_run(first.steps["train"].run_id)
    assert {(f.role, f.path) for f in train.files()} == {("input", "data/clean.csv"), ("output", "model.pkl")}
    graph = store.lineage(path="data/raw.csv")
    assert set(graph.runs()) == {prepare.id, train.id}

    second = run_pipeline(pipeline, store=store.location, progress=False)
    assert [s.status for s in second.steps.values()] == ["cached", "cached"]
    assert main(["pipeline", pipeline, "--store", store.location, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "prepare  cached" in out and "0 of 2 steps would run" in out

    (project / "data" / "raw.csv").write_text("x\n1\n2\n3\n")
    assert main(["pipeline", pipeline, "--store", store.location, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "prepare  would run   data/raw.csv changed" in out
    assert "train    would run   upstream prepare runs first" in out
    assert len(store.search_runs("tags.kind = 'pipeline'")) == 2  # the dry run ran nothing

    assert main(["pipeline", pipeline, "--store", store.location]) == 0
    captured = capsys.readouterr()
    assert "prepare: data/raw.csv changed" in captured.err
    assert "train: data/clean.csv changed" in captured.err
    third = store.search_runs("tags.kind = 'pipeline'")[0]
    steps = {c.tags["step"]: c for c in third.children()}
    assert steps["prepare"].tags["rerun_reason"] == "data/raw.csv changed"
    assert steps["train"].status == "finished" and steps["train"].metrics["rows"] == 4


def test_a_deleted_input_is_named_and_a_bad_pipeline_file_is_refused(capsys, store, project: Path) -> None:
    pipeline = os.fspath(project / "pipeline.yaml")
    assert run_pipeline(pipeline, store=store.location, progress=False).ok
    (project / "data" / "raw.csv").unlink()
    assert main(["pipeline", pipeline, "--store", store.location, "--dry-run"]) == 0
    assert "data/raw.csv is gone" in capsys.readouterr().out
    assert main(["pipeline", os.fspath(project / "missing.yaml"), "--store", store.location, "--dry-run"]) == 2
    assert "missing.yaml" in capsys.readouterr().err
