"""Helpers of the REST API tests: runs recorded through the tracking API, strict JSON."""

from __future__ import annotations

import json
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


def notebook_bytes(*sources: str) -> bytes:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.writes(nb).encode()


def body(response: Any) -> Any:
    """A reply's JSON, refusing NaN and Infinity tokens (JSON has none)."""

    def refuse(token: str) -> Any:
        raise AssertionError(f"reply holds the non-JSON token {token}")

    return json.loads(response.body, parse_constant=refuse)
