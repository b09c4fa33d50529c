"""Notebooks shaped like papermill's own test notebooks, run and re-run through the CLI with real
kernels: a re-run starts from the run's own params (never from stale ``metadata.papermill``),
IPython syntax in the parameters cell, no parameters cell, kernel ``python``, ``None`` defaults
typed as papermill types them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.notebook.cells import INJECTED_TAG

NOTEBOOKS = Path(__file__).parent / "notebooks"


def copy(name: str, folder: Path) -> Path:
    """A copy of a test notebook (the runner runs it in its own folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(NOTEBOOKS / name, folder / name))


def cli(capsys, store, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--store", store.location])
    out, err = capsys.readouterr()
    return code, out, err


def only_run(store, query: str = "source = 'notebook'"):
    runs = store.search_runs(query)
    assert len(runs) == 1, [r.id for r in runs]
    return runs[0]


def rerun_without_changes(capsys, store, run, expected_code: int = 0):
    """Re-run ``run`` with no -p; the new run must have its params and metrics."""
    code, out, err = cli(capsys, store, "rerun", run.id)
    assert code == expected_code, out + err
    again = only_run(store, f"tags.rerun_of = '{run.id}'")
    assert again.params == run.params
    assert again.metrics == run.metrics
    assert again.status == run.status
    return again, err


def printed(run) -> str:
    return "".join(
        output.get("text", "")
        for cell in run.snapshot().cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def test_stale_papermill_metadata_never_decides_a_rerun(capsys, store, tmp_path):
    path = copy("stale_metadata.ipynb", tmp_path / "project")
    code, out, err = cli(capsys, store, "run", os.fspath(path))
    assert code == 0, out + err
    run = only_run(store)
    assert run.params == {"foo": 7, "bar": "edited"} and run.metrics == {"score": 42}
    again, _ = rerun_without_changes(capsys, store, run)
    assert printed(again) == "7 edited\n"
    code, out, err = cli(capsys, store, "rerun", run.id, "-p", "foo", "3")
    assert code == 0, out + err
    changed = store.search_runs(f"tags.rerun_of = '{run.id}' and params.foo = 3")[0]
    assert changed.params == {"foo": 3, "bar": "edited"} and changed.metrics == {"score": 18}


def test_broken1_runs_and_reruns_with_its_own_params_and_fails_where_it_fails(
    capsys, store, tmp_path
):
    """papermill's broken1.ipynb: no parameters cell, stale metadata, a failing cell."""
    path = copy("broken1.ipynb", tmp_path / "project")
    code, out, err = cli(capsys, store, "run", os.fspath(path), "--kernel", "python3")
    assert code == 1, out + err
    run = only_run(store)
    assert run.status == "failed" and run.error["ename"] == "AssertionError"
    assert run.params == {}, "the stale metadata.papermill.parameters are not the run's"
    again, err = rerun_without_changes(capsys, store, run, expected_code=1)
    assert "no parameters cell" not in err
    assert again.error["ename"] == "AssertionError"


def test_parameters_for_a_notebook_without_a_parameters_cell_go_at_the_top(
    capsys, store, tmp_path
):
    path = copy("broken1.ipynb", tmp_path / "project")
    code, out, err = cli(
        capsys, store, "run", os.fspath(path), "--kernel", "python3", "-p", "foo", "5"
    )
    assert code == 1, out + err  # its second cell is `assert False`
    assert "warning:" in err and "no cell tagged 'parameters'" in err and "top" in err
    run = only_run(store)
    assert run.params == {"foo": 5}
    first = own_cells(run)[0]
    assert INJECTED_TAG in first.metadata.tags and first.source.strip().endswith("foo = 5")
    again, err = rerun_without_changes(capsys, store, run, expected_code=1)
    assert [c.source for c in own_cells(again)] == [c.source for c in own_cells(run)]


def own_cells(run):
    """The snapshot's cells without papermill's error markers."""
    return [c for c in run.snapshot().cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]


def test_ipython_syntax_in_the_parameters_cell(capsys, store, tmp_path):
    path = copy("magics_parameters.ipynb", tmp_path / "project")
    code, out, err = cli(capsys, store, "run", os.fspath(path), "-p", "lr", "1")
    assert code == 0, out + err
    run = only_run(store)
    assert run.params == {"lr": 1.0, "epochs": 2}, "typed from the cell, magics and all"
    assert "float 1.0 2" in printed(run) and "installing" in printed(run)
    rerun_without_changes(capsys, store, run)
    code, out, err = cli(capsys, store, "run", os.fspath(path), "-p", "epochs", "two")
    assert code == 2 and "'epochs' takes int" in err


def test_kernel_python_is_the_native_kernel(capsys, store, tmp_path):
    path = copy("kernel_python.ipynb", tmp_path / "project")
    code, out, err = cli(capsys, store, "run", os.fspath(path), "-p", "x", "3")
    assert code == 0, out + err
    run = only_run(store)
    assert run.tags["kernel"] == "python3" and run.metrics == {"square": 9}
    rerun_without_changes(capsys, store, run)


NONE_ARGS = [
    ("sizes", "[1, 2]"),
    ("config", '{"a": 1}'),
    ("flag", "true"),
    ("nothing", "None"),
    ("count", "3"),
]
NONE_VALUES = {"sizes": "[1, 2]", "config": '{"a": 1}', "flag": "true", "nothing": None, "count": 3}


def test_none_defaults_get_the_values_papermill_gives_them(capsys, store, tmp_path):
    path = copy("none_defaults.ipynb", tmp_path / "ours")
    args = [arg for pair in NONE_ARGS for arg in ("-p", *pair)]
    code, out, err = cli(capsys, store, "run", os.fspath(path), *args)
    assert code == 0, out + err
    run = only_run(store)
    assert run.params == NONE_VALUES
    ours = printed(run)

    theirs = tmp_path / "papermill-out.ipynb"
    subprocess.run(
        [sys.executable, "-m", "papermill", os.fspath(NOTEBOOKS / "none_defaults.ipynb"),
         os.fspath(theirs), "--no-progress-bar", "--cwd", os.fspath(tmp_path), *args],
        check=True, capture_output=True, timeout=300,
    )
    executed = json.loads(theirs.read_text())
    papermill_printed = "".join(
        "".join(o.get("text", "")) for c in executed["cells"] if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert ours == papermill_printed
    rerun_without_changes(capsys, store, run)


def test_structured_values_come_with_yaml_and_raw_text_with_r(capsys, store, tmp_path):
    path = copy("none_defaults.ipynb", tmp_path / "project")
    code, out, err = cli(
        capsys, store, "run", os.fspath(path),
        "-y", "sizes: [1, 2]", "-y", "{config: {a: 1}, flag: true}", "-r", "count", "3",
    )
    assert code == 0, out + err
    run = only_run(store)
    assert run.params == {
        "sizes": [1, 2], "config": {"a": 1}, "flag": True, "nothing": None, "count": "3",
    }
    assert printed(run) == "sizes [1, 2]\nconfig {'a': 1}\nflag True\nnothing None\ncount '3'\n"
    rerun_without_changes(capsys, store, run)


def test_simple_execute_reruns_with_the_value_it_was_given(capsys, store, tmp_path):
    path = copy("simple_execute.ipynb", tmp_path / "project")
    code, out, err = cli(capsys, store, "run", os.fspath(path), "-p", "msg", "hello")
    assert code == 0, out + err
    run = only_run(store)
    assert run.params == {"msg": "hello"}
    again, _ = rerun_without_changes(capsys, store, run)
    assert printed(again) == "hello\n"


@pytest.mark.parametrize("command", ["run", "sweep", "rerun"])
def test_run_sweep_and_rerun_take_raw_parameters(command):
    from jupyter_mlops.cli import build_parser

    argv = {"run": ["run", "nb.ipynb"], "sweep": ["sweep", "nb.ipynb", "--grid", "a=1"],
            "rerun": ["rerun", "1m8gdm5tpbsc5x"]}[command]
    args = build_parser().parse_args([*argv, "-r", "version", "1.0", "-p", "lr", "1"])
    from jupyter_mlops.cli.common import parameters

    values = parameters(args)
    assert values == {"version": "1.0", "lr": "1"} and type(values["version"]) is str


def test_run_help_says_where_the_kernel_runs(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    assert "working directory" in text and "notebook's folder" in text and "--cwd" in text
