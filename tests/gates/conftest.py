from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops

MakeRun = Callable[..., str]


@pytest.fixture
def make_run(store_dir: Path, tmp_path: Path) -> MakeRun:
    """A finished run with these params and last metric values (and ``model.pkl`` holding
    ``model`` when given); returns its id."""

    def make(name: str, metrics: dict[str, float], params: dict[str, Any] | None = None, *,
             experiment: str = "digits", model: str | None = None, history: int = 1) -> str:
        with mlops.start_run(name=name, experiment=experiment, params=params or {},
                             store=os.fspath(store_dir)) as run:
            for step in range(history):
                mlops.log_metrics({key: value - (history - 1 - step) * 0.01 for key, value in metrics.items()},
                                  step=step)
            if model is not None:
                path = tmp_path / "model.pkl"
                path.write_text(model)
                mlops.log_artifact(path)
        return run.id

    return make
