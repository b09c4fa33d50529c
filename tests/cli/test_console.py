"""The ``jupyter-mlops`` script's entry (:func:`jupyter_mlops.cli.console`): ``check`` and
``report`` run without the cycle collector (their start-up is most of their time), every other
command with it, and the collector is on again when the command returns, whatever it returned."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import jupyter_mlops as mlops
import jupyter_mlops.cli as cli


@pytest.fixture
def run_id(store_dir: Path) -> str:
    with mlops.start_run(name="base", experiment="digits", store=os.fspath(store_dir)) as run:
        mlops.log_metrics({"val_acc": 0.9})
    return run.id


@pytest.fixture
def collector_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether the collector was on while each ``main`` ran (console in this process)."""
    seen: list[bool] = []
    real_main = cli.main

    def main() -> int:
        seen.append(gc.isenabled())
        return real_main()

    monkeypatch.setattr(cli, "main", main)
    yield seen
    gc.unfreeze()  # console froze this test process's objects: give them back to the collector


@pytest.mark.parametrize(("command", "collects"), [("check", False), ("report", False), ("runs", True)])
def test_the_collector_is_off_only_for_short_commands_and_on_again_after(
        command: str, collects: bool, run_id: str, store_dir: Path, collector_seen: list[bool],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    argv = {"check": ["check", run_id, "--require", "metrics.val_acc > 0.95"],
            "report": ["report", run_id, "--format", "markdown"], "runs": ["runs"]}[command]
    monkeypatch.setattr(sys, "argv", ["jupyter-mlops", *argv, "--store", os.fspath(store_dir)])
    code = cli.console()
    assert collector_seen == [collects]
    assert gc.isenabled()
    out = capsys.readouterr().out
    assert code == (1 if command == "check" else 0)  # the failed gate still says so through console
    assert run_id[-6:] in out  # every face names the run (a report by its id's last six characters)


def test_the_collector_is_on_again_after_a_usage_error(collector_seen: list[bool], store_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["jupyter-mlops", "check", "nosuchrun", "--store", os.fspath(store_dir)])
    assert cli.console() == 2
    assert collector_seen == [False] and gc.isenabled()
    assert "nosuchrun" in capsys.readouterr().err


def test_python_m_jupyter_mlops_goes_through_console(run_id: str, store_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jupyter_mlops", "check", run_id, "--format", "json",
                           "--require", "metrics.val_acc >= 0.9", "--store", os.fspath(store_dir)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f'"id": "{run_id}"' in done.stdout and not done.stderr
