"""jupyter-mlops: a notebook that is its own MLOps tool.

``import jupyter_mlops as mlops`` stays cheap: the store, SQLAlchemy and everything
else load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .capture.files import capture_files
    from .capture.logged_files import log_input, log_output
    from .controls.api import controls
    from .gates import check
    from .models import (
        delete_model_alias,
        get_model,
        list_models,
        load_model,
        register_model,
        set_model_alias,
    )
    from .tracking import (
        active_run,
        end_run,
        get_store,
        log_artifact,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        output,
        set_tag,
        set_tags,
        start_run,
    )

_TRACKING = {
    "start_run", "end_run", "active_run", "log_param", "log_params", "log_metric", "log_metrics",
    "log_artifact", "set_tag", "set_tags", "output", "get_store",
}
_FILES = {"log_input": "logged_files", "log_output": "logged_files", "capture_files": "files"}
_MODELS = {"register_model", "get_model", "list_models", "load_model", "set_model_alias", "delete_model_alias"}

__all__ = [
    "__version__",
    "active_run",
    "capture_files",
    "check",
    "controls",
    "delete_model_alias",
    "end_run",
    "get_model",
    "get_store",
    "list_models",
    "load_model",
    "log_artifact",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_output",
    "log_params",
    "output",
    "register_model",
    "search_runs",
    "set_model_alias",
    "set_tag",
    "set_tags",
    "start_run",
]


def __getattr__(name: str) -> Any:
    if name in _TRACKING:
        from . import tracking

        value = getattr(tracking, name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _MODELS:
        from . import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    if name in _FILES:
        import importlib

        value = getattr(importlib.import_module(f".capture.{_FILES[name]}", __name__), name)
        globals()[name] = value
        return value
    if name == "check":
        from .gates import check

        globals()[name] = check
        return check
    if name == "controls":
        from .controls.api import controls

        globals()[name] = controls
        return controls
    raise AttributeError(f"module 'jupyter_mlops' has no attribute {name!r}")


def search_runs(
    filter: str | None = None,
    experiment: str | None = None,
    order_by: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
    store: str | None = None,
) -> Any:
    """Runs as a pandas DataFrame: one row a run, ``params.*``, ``metrics.*``, ``tags.*`` columns."""
    from .render.frame import runs_to_frame
    from .store import open_store

    runs = open_store(store).search_runs(filter, experiment=experiment, order_by=order_by, limit=limit,
                                         offset=offset)
    return runs_to_frame(runs)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlops``: register ``%%track``, ``%track`` and ``%runs``."""
    from .magics import load_ipython_extension as load

    load(ipython)


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server import MlopsApp

    return [{"module": "jupyter_mlops.server", "app": MlopsApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlops"}]
