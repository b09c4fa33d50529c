"""Executors found by name: the built-in ones, one a package registers, and clear errors for
names and factories that do not exist. Nothing here starts a kernel."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupyter_mlops.runner.errors import ExecutorError
from jupyter_mlops.runner.executors import (
    Executor,
    InlineExecutor,
    LocalProcessExecutor,
    executor_names,
    get_executor,
    make_executor,
    register_executor,
)
from jupyter_mlops.runner.executors.registry import executors


def test_the_built_in_executors_by_name() -> None:
    assert {"local", "dask"} <= set(executor_names())
    assert isinstance(make_executor("local", 1), InlineExecutor)
    assert isinstance(make_executor("local", 3), LocalProcessExecutor)  # nothing starts before use


def test_dask_is_imported_only_when_its_executor_is_used() -> None:
    code = ("import sys\nfrom jupyter_mlops.runner.executors import make_executor\n"
            "make_executor('local', 2)\nassert 'distributed' not in sys.modules\n"
            "assert 'jupyter_mlops.runner.executors.dask' not in sys.modules\n"
            "make_executor('dask', 2)\nassert 'jupyter_mlops.runner.executors.dask' in sys.modules\n"
            "assert 'distributed' not in sys.modules  # imported when the cluster starts\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


class _Recording(Executor):
    """An executor a plug-in might add; it only records how it was made."""

    def __init__(self, workers: int = 1, scheduler: str | None = None, prestart: int = 0) -> None:
        super().__init__(workers, prestart)
        self.scheduler = scheduler

    def _start(self) -> list[str]:
        return ["only"]

    def _dispatch(self, slot, job, following):  # type: ignore[no-untyped-def]
        raise AssertionError("not run here")

    def _collect(self, timeout):  # type: ignore[no-untyped-def]
        return []

    def _interrupt(self) -> None:
        pass

    def _stop(self) -> None:
        pass


def test_a_registered_executor_is_made_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "_factories", dict(executors._factories))
    register_executor("recording", _Recording)
    made = make_executor("recording", 4, "tcp://somewhere:1", 1)
    assert isinstance(made, _Recording) and (made.workers, made.scheduler, made.prestart) == (4, "tcp://somewhere:1", 1)
    register_executor("by_path", f"{__name__}:_Recording")  # imported on first use
    assert get_executor("by_path") is _Recording
    assert "recording" in executor_names()


@pytest.mark.parametrize(("name", "factory", "words"), [
    ("two words", _Recording, "is a word"),
    ("", _Recording, "is a word"),
    ("nofactory", 42, "needs a factory"),
    ("nocolon", "just.a.module", "needs a factory"),
])
def test_bad_registrations_are_refused(name: str, factory: object, words: str) -> None:
    with pytest.raises(ExecutorError, match=words):
        register_executor(name, factory)  # type: ignore[arg-type]
    assert name not in executor_names()


def test_unknown_or_broken_executors_say_what_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "_factories", dict(executors._factories))
    with pytest.raises(ExecutorError, match="unknown executor 'ray'; use one of .*dask.*local"):
        make_executor("ray", 1)
    register_executor("gone", "no_such_package.executors:Gone")
    with pytest.raises(ExecutorError, match="executor 'gone' cannot be loaded from no_such_package"):
        make_executor("gone", 1)
    with pytest.raises(ExecutorError, match="--scheduler only goes with --executor dask"):
        make_executor("local", 1, "tcp://x:1")
    with pytest.raises(ExecutorError, match="at least 1"):
        make_executor("local", 0)


def test_an_executor_from_an_entry_point(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "plugin_executor-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-executor\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[jupyter_mlops.executors]\nplugged = {__name__}:_Recording\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(executors, "_factories", dict(executors._factories))
    monkeypatch.setattr(executors, "_entry_points_loaded", False)
    assert isinstance(make_executor("plugged", 2), _Recording)
    assert "plugged" in executor_names()


def test_the_cli_refuses_an_unknown_executor_before_anything_runs(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from jupyter_mlops.cli import main
    from jupyter_mlops.store import open_store
    from tests.support.runner import write_notebook

    notebook = write_notebook(tmp_path / "train.ipynb", "lr = 0.1", "print(lr)")
    store = tmp_path / "store"
    code = main(["sweep", str(notebook), "--grid", "lr=0.1,0.2", "--executor", "ray", "--store", str(store)])
    assert code != 0
    assert "unknown executor 'ray'; use one of dask, local" in capsys.readouterr().err
    assert open_store(str(store)).search_runs() == []
