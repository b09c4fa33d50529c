from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_store_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads or writes the developer's own stores."""
    monkeypatch.delenv("JUPYTER_MLOPS_STORE", raising=False)
    monkeypatch.delenv("JUPYTER_MLOPS_RUN_ID", raising=False)
    monkeypatch.delenv("JUPYTER_MLOPS_NOTEBOOK", raising=False)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    yield
    from jupyter_mlops import tracking

    for run in list(tracking._stack):
        tracking.end_run("finished", run=run)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir: Path):  # type: ignore[no-untyped-def]
    from jupyter_mlops.store import open_store

    return open_store(os.fspath(store_dir))
