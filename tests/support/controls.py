"""Helpers shared by the controls tests."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from typing import Any


class Shell:
    def __init__(self, shell: Any) -> None:
        self.ip = shell

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns

    def run(self, cell: str) -> Any:
        """Run a cell; returns IPython's ExecutionResult (its ``result`` is the cell's value),
        with what the cell printed as ``stdout`` and ``stderr``."""
        from IPython.utils.capture import capture_output

        with capture_output() as captured:
            result = self.ip.run_cell(cell, store_history=True)
        result.stdout, result.stderr = captured.stdout, captured.stderr
        return result


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def text_of(widget: Any) -> str:
    """What an HTML widget shows, as plain text."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", widget.value)).split())
