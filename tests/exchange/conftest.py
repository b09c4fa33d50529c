from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def tracking_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # MLflow keeps artifacts under ./mlruns next to a SQLite backend
    return f"sqlite:///{tmp_path / 'mlflow.db'}"
