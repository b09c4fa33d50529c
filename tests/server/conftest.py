"""A real Jupyter server with the jupyter_mlops extension, and runs to serve.

pytest-jupyter's fixtures (``jp_fetch``, ``jp_serverapp``, ...) are imported here, so
they and their async test support apply to this folder only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403

from tests.support.server import close_stores, jp_server_config, track_run  # noqa: F401


@pytest.fixture
def root_store(jp_root_dir: Path) -> Path:
    """The store a kernel started in the server root finds: ``<root>/.mlops``."""
    path = jp_root_dir / ".mlops"
    path.mkdir()
    return path


@pytest.fixture
def track(root_store: Path) -> Callable[..., str]:
    """``track("name", params=..., metrics=...)``: a finished run in the root's store."""

    def make(name: str, **kwargs: Any) -> str:
        return track_run(root_store, name, **kwargs)

    return make


@pytest.fixture
def api(jp_fetch: Any) -> Callable[..., Any]:
    """``await api("runs", params={...})``: a request under mlops/api/ with the server's token."""

    async def call(*parts: str, **kwargs: Any) -> Any:
        return await jp_fetch("mlops", "api", *parts, **kwargs)

    return call
