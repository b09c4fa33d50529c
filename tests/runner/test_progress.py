"""The sweep and pipeline progress: a tqdm bar with rate and ETA on a terminal, a widget in a
notebook, one line per finished execution elsewhere, and failures written out in full."""

from __future__ import annotations

import io
from typing import Any

import pytest

from jupyter_mlops.runner import progress as p


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_rate_eta_and_the_failures() -> None:
    out = Terminal()
    bar = p.Progress(4, "sweep train", stream=out)
    assert bar.tty
    bar.update(running=2)
    bar.finished("run a", True, "finished")
    bar.finished("run b", False, "failed (ZeroDivisionError: division by zero (cell 2))")
    bar.note("interrupted: stopping the running notebooks")
    bar.close()
    text = out.getvalue()
    assert "sweep train" in text and "2/4" in text
    assert "run/s" in text or "s/run" in text  # the rate
    assert "<" in text  # elapsed<remaining: the ETA
    assert "1 failed" in text
    assert "  run b: failed (ZeroDivisionError: division by zero (cell 2))\n" in text
    assert "interrupted: stopping the running notebooks\n" in text
    assert "run a: finished" not in text  # only failures get a line of their own


def test_without_a_terminal_each_execution_is_one_line() -> None:
    out = io.StringIO()
    bar = p.Progress(2, "pipeline churn", stream=out)
    assert not bar.tty
    bar.update(running=1)
    bar.finished("step prep", True, "finished")
    bar.finished("step train", False, "skipped")
    bar.close()
    assert out.getvalue() == "[1/2] step prep: finished\n[2/2] step train: skipped\n"


def test_disabled_progress_writes_nothing() -> None:
    out = Terminal()
    bar = p.Progress(1, "sweep", stream=out, enabled=False)
    bar.finished("run a", False, "failed")
    bar.note("note")
    bar.close()
    assert out.getvalue() == "" and (bar.done, bar.failed) == (1, 1)


def test_in_a_notebook_the_bar_is_a_widget(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(p, "_in_notebook", lambda: True)
    bar = p.Progress(3, "sweep train")
    assert bar.tty and type(bar._bar).__module__ == "tqdm.notebook"
    bar.finished("run a", True, "finished")
    assert bar._bar.n == 1
    bar.close()
