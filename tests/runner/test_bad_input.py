"""Bad input gets a clear message and exit code 2, with nothing run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.runner.errors import PipelineError
from jupyter_mlops.runner.pipelines.references import substitute
from jupyter_mlops.runner.pipelines.spec import Pipeline


def nothing_ran(store_dir: Path) -> bool:
    if not store_dir.exists():
        return True
    from jupyter_mlops.store import open_store

    return open_store(os.fspath(store_dir)).search_runs() == []


def refused(capsys, store_dir: Path, *argv: str) -> str:
    code = main([*argv, "--store", os.fspath(store_dir)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert nothing_ran(store_dir)
    return err


def test_missing_notebook(capsys, store_dir, tmp_path):
    err = refused(capsys, store_dir, "run", os.fspath(tmp_path / "missing.ipynb"))
    assert "does not exist" in err


def test_not_a_notebook(capsys, store_dir, tmp_path):
    text = tmp_path / "notes.ipynb"
    text.write_text("print('hello')\n")
    assert "not a notebook" in refused(capsys, store_dir, "run", os.fspath(text))
    listless = tmp_path / "dict.ipynb"
    listless.write_text('{"metadata": {}}')
    assert "no list of cells" in refused(capsys, store_dir, "run", os.fspath(listless))


def test_unknown_kernel(capsys, store_dir, notebook):
    err = refused(capsys, store_dir, "run", os.fspath(notebook("nb", "x = 1")), "--kernel", "cobol")
    assert "no kernel named 'cobol'" in err and "python3" in err


def test_value_that_cannot_convert(capsys, store_dir, notebook):
    err = refused(
        capsys, store_dir, "run", os.fspath(notebook("nb", "epochs = 5")), "-p", "epochs", "ten"
    )
    assert "'epochs' takes int" in err


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["--grid", "lr"], "NAME=V1,V2"),
        (["--grid", "lr="], "empty value"),
        ([], "grid is empty"),
        (["--grid", "lr=0.1,fast"], "'lr' takes float"),
    ],
)
def test_bad_grids(capsys, store_dir, notebook, grid, message):
    err = refused(capsys, store_dir, "sweep", os.fspath(notebook("nb", "lr = 0.1")), *grid)
    assert message in err


def test_bad_sort_key_stops_the_sweep_before_it_starts(capsys, store_dir, notebook):
    err = refused(
        capsys,
        store_dir,
        "sweep",
        os.fspath(notebook("nb", "lr = 0.1")),
        "--grid",
        "lr=1,2",
        "--sort=-accuracy",
    )
    assert "unknown field" in err


def write_pipeline(directory: Path, text: str) -> Path:
    path = directory / "pipeline.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def two_notebooks(notebook):
    notebook("prep", "rows = 10", "import jupyter_mlops as mlops\nmlops.output('path', 'data.csv')")
    notebook("train", "data = ''\nlr = 0.1", "x = 1")


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "steps:\n  a: {notebook: prep.ipynb, depends_on: [b]}\n  b: {notebook: train.ipynb, depends_on: [a]}\n",
            "cycle: a -> b -> a",
        ),
        (
            "steps:\n  train: {notebook: train.ipynb, depends_on: [prepare]}\n",
            "depends on 'prepare', which is not a step",
        ),
        (
            "steps:\n  train: {notebook: train.ipynb, parameters: {data: '${steps.prep.outputs.path}'}}\n",
            "no step 'prep'",
        ),
        (
            "steps:\n  prep: {notebook: prep.ipynb}\n  train: {notebook: train.ipynb, parameters: {data: '${prep.path}'}}\n",
            "cannot resolve ${prep.path}",
        ),
        (
            "steps:\n  prep: {notebook: prep.ipynb}\n  train: {notebook: train.ipynb, "
            "parameters: {data: '${steps.prep.outputs.path}'}}\n",
            "without depending on it",
        ),
        ("steps:\n  prep: {notebook: nowhere.ipynb}\n", "does not exist"),
        ("steps:\n  train: {notebook: train.ipynb, parameters: {lr: fast}}\n", "'lr' takes float"),
        ("steps:\n  train: {notebook: train.ipynb, retries: 3}\n", "unknown key(s) 'retries'"),
        ("steps: {}\n", "has no steps"),
        ("steps:\n  train: {notebook: train.ipynb, kernel: cobol}\n", "no kernel named 'cobol'"),
    ],
)
def test_bad_pipelines_are_refused_before_anything_runs(
    capsys, store_dir, tmp_path, two_notebooks, yaml_text, message
):
    path = write_pipeline(tmp_path, yaml_text)
    with pytest.raises(PipelineError) as caught:
        Pipeline.load(path)
    assert message in str(caught.value)
    refused(capsys, store_dir, "pipeline", os.fspath(path))


def test_a_missing_pipeline_file(capsys, store_dir, tmp_path):
    assert "does not exist" in refused(
        capsys, store_dir, "pipeline", os.fspath(tmp_path / "none.yaml")
    )


def test_references_keep_the_type_of_the_output_or_format_into_text():
    outputs = {"prep": {"rows": 10, "path": "d.csv", "cols": ["a", "b"]}}
    assert substitute("${steps.prep.outputs.rows}", outputs) == 10
    assert substitute(" ${steps.prep.outputs.path} ", outputs) == " d.csv "
    assert substitute("n=${steps.prep.outputs.rows}", outputs) == "n=10"
    assert substitute({"c": ["${steps.prep.outputs.cols}"]}, outputs) == {"c": [["a", "b"]]}
    assert substitute("$${literal}", outputs) == "${literal}"


def test_output_in_a_missing_directory_and_bad_names(capsys, store_dir, notebook, tmp_path):
    path = os.fspath(notebook("nb", "x = 1"))
    missing = os.fspath(tmp_path / "nowhere" / "out.ipynb")
    assert "does not exist" in refused(capsys, store_dir, "run", path, "--output", missing)
    assert "must not be empty" in refused(capsys, store_dir, "run", path, "--experiment", " ")
    assert "must not be empty" in refused(
        capsys, store_dir, "sweep", path, "--grid", "x=1", "--name", ""
    )
