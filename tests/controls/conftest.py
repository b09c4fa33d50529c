"""A real IPython shell in this process with the extension loaded, a fresh store per test,
and controls shown (no front end is needed to drive them from Python)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.controls import Shell


@pytest.fixture
def shell(ipython_shell: Any, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shell]:
    """The shell, with ``JUPYTER_MLOPS_HEADLESS=0``: controls are shown although no front end
    is attached (tests press their buttons from Python)."""
    from jupyter_mlops.store import forget_stores

    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(store_dir))
    monkeypatch.setenv("JUPYTER_MLOPS_HEADLESS", "0")
    monkeypatch.chdir(store_dir.parent)
    ipython_shell.reset(new_session=True)
    ipython_shell.run_cell("import jupyter_mlops as mlops", store_history=True)
    yield Shell(ipython_shell)
    from jupyter_mlops.controls.panel import ControlPanel

    shown = [*ipython_shell.user_ns.values(), *ipython_shell.user_ns.get("Out", {}).values()]
    for panel in {id(v): v for v in shown if isinstance(v, ControlPanel)}.values():
        panel.close()
    forget_stores()
