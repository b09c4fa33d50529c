from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import PostgresServer, find_bin_dir


@pytest.fixture(autouse=True)
def _isolated_store_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads or writes the developer's own stores."""
    monkeypatch.delenv("JUPYTER_MLOPS_STORE", raising=False)
    monkeypatch.delenv("JUPYTER_MLOPS_RUN_ID", raising=False)
    monkeypatch.delenv("JUPYTER_MLOPS_NOTEBOOK", raising=False)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    yield
    from jupyter_mlops import tracking
    from jupyter_mlops.tracking.active import stack

    for run in list(stack):
        tracking.end_run("finished", run=run)


@pytest.fixture(scope="session")
def ipython_shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """This process's IPython shell (one per process), with the extension loaded; the magics
    and controls tests wrap it in their own ``shell`` fixture."""
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_cell("%load_ext jupyter_mlops")
    yield shell


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir: Path):  # type: ignore[no-untyped-def]
    from jupyter_mlops.store import open_store

    return open_store(os.fspath(store_dir))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session (skipped where none is installed)."""
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed (make test installs Debian's postgresql as root)")
    server = PostgresServer().start()
    yield server
    server.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh store: an embedded SQLite folder, or a new database on the test PostgreSQL server
    with its blobs in a temporary folder."""
    if request.param == "sqlite":
        return os.fspath(tmp_path / "store")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    monkeypatch.setenv("JUPYTER_MLOPS_BLOBS", os.fspath(tmp_path / "blobs"))
    return server.create_database()
