from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from jupyter_mlops.config import resolve_location
from jupyter_mlops.errors import StoreLocationError


def test_nearest_mlops_folder_wins(tmp_path: Path) -> None:
    (tmp_path / ".mlops").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert resolve_location(cwd=deep) == str(tmp_path / ".mlops")
    (tmp_path / "a" / ".mlops").mkdir()
    assert resolve_location(cwd=deep) == str(tmp_path / "a" / ".mlops")


def test_git_top_gets_a_new_store(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "notebooks" / "deep").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert resolve_location(cwd=repo / "notebooks" / "deep") == str(repo / ".mlops")


def test_falls_back_to_the_jupyter_data_dir(tmp_path: Path) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert resolve_location(cwd=lonely) == str(tmp_path / "jupyter-data" / "mlops")


def test_environment_and_explicit_location_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".mlops").mkdir()
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(tmp_path / "from-env"))
    assert resolve_location(cwd=tmp_path) == str(tmp_path / "from-env")
    assert resolve_location("explicit", cwd=tmp_path) == str(tmp_path / "explicit")
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", "postgresql://u@h/db")
    assert resolve_location(cwd=tmp_path) == "postgresql://u@h/db"


def test_a_store_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    from jupyter_mlops.store.sqlstore import Store

    target = tmp_path / "not-a-dir"
    target.write_text("precious")
    with pytest.raises(StoreLocationError, match="is a file, not a directory"):
        Store(os.fspath(target))
    assert target.read_text() == "precious"


def test_unsupported_url_is_refused() -> None:
    from jupyter_mlops.store.sqlstore import Store

    with pytest.raises(StoreLocationError, match="unsupported store URL"):
        Store("mysql://u@h/db")
