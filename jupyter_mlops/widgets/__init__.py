"""The run browser for notebooks, built with ipywidgets (any front end that renders widgets).

    from jupyter_mlops.widgets import RunBrowser
    RunBrowser(experiment="churn", filter="metrics.acc >= 0.9")

``%runs [FILTER]`` shows the same browser. Importing this package loads nothing of
ipywidgets: the names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .browser import RunBrowser, show_runs

__all__ = ["RunBrowser", "show_runs"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import browser

        return getattr(browser, name)
    raise AttributeError(f"module 'jupyter_mlops.widgets' has no attribute {name!r}")
