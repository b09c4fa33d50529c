"""SIGTERM stops a runner command the way Ctrl-C does.

A CI job that is cancelled, ``timeout`` or a process manager send SIGTERM. Left to Python's
default, the process dies on the spot: the run reads ``crashed``, with no error and no snapshot.
While :func:`sigterm_as_interrupt` is active (the CLI's runner commands), SIGTERM is delivered
to whatever handles SIGINT at that moment, so the running notebook is interrupted, its partial
output kept as the snapshot, and the run ends ``interrupted``; the command then exits 143
(128 + SIGTERM), as a process killed by SIGTERM would. A second SIGTERM, like a second
Ctrl-C, stops at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

_received: list[int] = []  # the signals that stopped this process's work, in order


def cause() -> str:
    """What stopped the work, for an error message: ``Ctrl-C`` or ``SIGTERM``."""
    return "SIGTERM" if signal.SIGTERM in _received else "Ctrl-C"


def exit_code(code: int) -> int:
    """``code``, or 143 when SIGTERM was what interrupted the command (130 is Ctrl-C's)."""
    return 128 + signal.SIGTERM if code == 130 and signal.SIGTERM in _received else code


def _as_interrupt(signum: int, frame: Any) -> None:
    _received.append(signum)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:  # SIGINT ignored or left to the system: do what Python's default would
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block (main thread only), SIGTERM is handled like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _as_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def sigint_cancels(execution: Any) -> Iterator[None]:
    """In the main thread, a first Ctrl-C (or SIGTERM) stops ``execution`` gracefully (the
    cell gets a KeyboardInterrupt, the partial notebook is kept); a second one raises at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:  # a worker process handles Ctrl-C itself
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if execution.reason == "interrupted":
            raise KeyboardInterrupt
        execution.cancel("interrupted")

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


__all__ = ["cause", "exit_code", "sigint_cancels", "sigterm_as_interrupt"]
