"""A real Jupyter server with the extension, for the test that asks every face the same question."""

from __future__ import annotations

from pytest_jupyter.jupyter_server import *  # noqa: F403

from tests.support.server import close_stores, jp_server_config  # noqa: F401
