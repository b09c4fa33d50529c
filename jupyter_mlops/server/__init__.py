"""The Jupyter server extension: the REST API of the run browser under ``{base_url}mlops/api/``.

Enabled on install by ``jupyter-config/server-config/jupyter_mlops.json``. Configure it like
any Jupyter app, e.g. ``jupyter lab --MlopsApp.store=/path/to/store``.
"""

from __future__ import annotations

from typing import Any

from .app import MlopsApp

__all__ = ["MlopsApp"]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "jupyter_mlops.server", "app": MlopsApp}]
