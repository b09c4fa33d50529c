"""A real Jupyter server with the extension, for the test that asks every face the same question."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403

from jupyter_mlops.store import forget_stores


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}}}


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    forget_stores()
