"""Helpers of the REST API tests: a server with the extension, runs recorded through the
tracking API, strict JSON. A conftest that star-imports pytest-jupyter's fixtures imports
``jp_server_config`` and ``close_stores`` from here too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_mlops.store import forget_stores
from tests.support.tracking import track_run  # noqa: F401 - shared with the browser tests


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}}}


@pytest.fixture(autouse=True)
def close_stores() -> Iterator[None]:
    """Stores the server opened are closed after each test."""
    yield
    forget_stores()


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


async def fails(call: Any, *parts: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """A request expected to fail: its status code and JSON error reply."""
    response = await call(*parts, raise_error=False, **kwargs)
    return response.code, body(response)
