"""Recording finished runs through the tracking API, for tests that need some."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import jupyter_mlops as mlops


def track_run(
    store: os.PathLike[str] | str,
    name: str,
    *,
    experiment: str = "default",
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Sequence[float]] | None = None,
    tags: Mapping[str, str] | None = None,
    notebook_path: str | None = None,
) -> str:
    """Record a finished run through the tracking API; returns its id."""
    with mlops.start_run(
        name=name,
        experiment=experiment,
        params=params,
        tags=tags,
        store=os.fspath(store),
        notebook_path=notebook_path,
    ) as run:
        for key, values in (metrics or {}).items():
            for step, value in enumerate(values):
                mlops.log_metric(key, value, step=step)
    return run.id
