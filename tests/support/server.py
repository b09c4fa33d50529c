"""Helpers of the REST API tests: runs recorded through the tracking API, strict JSON."""

from __future__ import annotations

import json
from typing import Any

from tests.support.tracking import track_run  # noqa: F401 - shared with the browser tests


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
