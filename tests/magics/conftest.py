"""A real IPython shell in this process with the extension loaded, and a fresh store per test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class CellResult:
    result: Any  # IPython's ExecutionResult
    stdout: str
    stderr: str
    outputs: list[dict[str, str]]  # displayed data, one dict of mime type -> text per display

    @property
    def error(self) -> BaseException | None:
        return self.result.error_in_exec or self.result.error_before_exec


class Shell:
    def __init__(self, shell: Any) -> None:
        self.ip = shell

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns

    def run(self, cell: str) -> CellResult:
        from IPython.utils.capture import capture_output

        with capture_output() as captured:
            result = self.ip.run_cell(cell, store_history=True)
        return CellResult(result, _plain(captured.stdout), _plain(captured.stderr),
                          [dict(o.data) for o in captured.outputs])


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def shell(ipython_shell: Any, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shell]:
    from jupyter_mlops import magics

    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(store_dir))
    monkeypatch.chdir(store_dir.parent)
    ipython_shell.reset(new_session=True)
    ipython_shell.run_cell("import jupyter_mlops as mlops", store_history=True)
    yield Shell(ipython_shell)
    track = magics._loaded[id(ipython_shell)]
    if track.span is not None:
        track.stop_span(quiet=True)
