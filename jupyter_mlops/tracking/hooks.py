"""Interpreter exit: the open runs end (failed when an exception escaped) after their last
points are written. Installed on first use, not at import."""

from __future__ import annotations

import atexit
import sys
from typing import Any

from .active import error_info, finish_run, stack
from .writer import writer

_uncaught: list[BaseException] = []


def at_exit() -> None:
    """Write what is buffered, then end the runs still open (the runner's kernels call it
    before they are killed, as interpreter exit would)."""
    writer.flush_all_at_exit()
    status = "failed" if _uncaught else "finished"
    error = error_info(_uncaught[0]) if _uncaught else None
    for run in reversed(list(stack)):
        try:
            finish_run(run, status, error if run._owned else None)
        except Exception as exc:  # noqa: BLE001
            print(f"jupyter-mlops: could not end run {run.id}: {exc}", file=sys.stderr)


def _excepthook(exc_type: Any, exc: BaseException, tb: Any) -> None:
    _uncaught.append(exc)
    _previous_excepthook(exc_type, exc, tb)


_previous_excepthook = sys.excepthook
_hooks_installed = False


def install_exit_hooks() -> None:
    """On first use, not at import: end open runs at exit, failed if an exception escaped."""
    global _previous_excepthook, _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    atexit.register(at_exit)


__all__ = ["at_exit", "install_exit_hooks"]
