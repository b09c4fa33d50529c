"""A parameter name is written into the injected cell's code: every face that takes names refuses
one that is not a Python identifier before a kernel starts, and stores nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.errors import InvalidInput

#: Code in a name: it would write the file ``owned`` if it reached a kernel.
HOSTILE = "x = 1\nopen('owned','w').write('x')\ny"
NAMES = [HOSTILE, "lr; import os", "class", "1st", "a-b"]


def no_trace(store_dir: Path, *folders: Path) -> None:
    for folder in (Path.cwd(), *folders):
        assert not (folder / "owned").exists()
    if store_dir.exists():
        from jupyter_mlops.store import open_store

        assert open_store(os.fspath(store_dir)).search_runs() == []


@pytest.fixture
def target(notebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return notebook("train", "lr = 0.1", "print(lr)")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("how", ["-p", "-r", "-y", "-f"])
def test_run_refuses_a_bad_name_from_every_option(capsys, store_dir, target, tmp_path, how, name):
    if how in ("-p", "-r"):
        args = [how, name, "1"]
    else:
        import json

        text = json.dumps({name: 1})  # JSON is YAML
        if how == "-f":
            (tmp_path / "params.yaml").write_text(text)
            text = os.fspath(tmp_path / "params.yaml")
        args = [how, text]
    code = main(["run", os.fspath(target), *args, "--store", os.fspath(store_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "not a parameter name" in err and "identifier" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    no_trace(store_dir, target.parent)


def test_sweep_refuses_a_bad_grid_name_from_the_cli_and_the_api(capsys, store_dir, target):
    code = main(["sweep", os.fspath(target), "--grid", "lr;x=1,2", "--store", os.fspath(store_dir)])
    assert code == 2 and "not a parameter name" in capsys.readouterr().err
    from jupyter_mlops.runner import sweep

    with pytest.raises(InvalidInput, match="not a parameter name"):
        sweep(target, {HOSTILE: [1, 2]}, store=os.fspath(store_dir), progress=False)
    with pytest.raises(InvalidInput, match="not a parameter name"):
        sweep(target, {"lr": [1]}, parameters={HOSTILE: 1}, store=os.fspath(store_dir),
              progress=False)
    no_trace(store_dir, target.parent)


def test_a_pipeline_refuses_a_bad_parameter_name(capsys, store_dir, target, tmp_path):
    import json

    spec = {"name": "p", "steps": {"train": {"notebook": target.name, "parameters": {HOSTILE: 1}}}}
    file = tmp_path / "pipeline.yaml"
    file.write_text(json.dumps(spec))
    code = main(["pipeline", os.fspath(file), "--store", os.fspath(store_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "step 'train'" in err and "not a parameter name" in err
    no_trace(store_dir, target.parent)


def test_rerun_refuses_a_bad_name_and_stores_nothing_new(capsys, store_dir, target):
    from jupyter_mlops.runner import run_notebook
    from jupyter_mlops.store import open_store

    original = run_notebook(target, store=os.fspath(store_dir))
    for name in NAMES:
        code = main(["rerun", original.id, "-p", name, "1", "--store", os.fspath(store_dir)])
        assert code == 2 and "not a parameter name" in capsys.readouterr().err
    from jupyter_mlops.runner import rerun

    with pytest.raises(InvalidInput, match="not a parameter name"):
        rerun(original.id, {HOSTILE: 1}, store=os.fspath(store_dir), background=True)
    assert [r.id for r in open_store(os.fspath(store_dir)).search_runs()] == [original.id]
    assert not (target.parent / "owned").exists()
