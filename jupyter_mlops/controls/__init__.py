"""Parameters through widgets: controls whose every run is tracked.

- ``%%track --controls`` shows controls for a cell's literal params and a Run button; each
  press runs the cell with the controls' values as a new tracked run (:mod:`.cell`).
- ``mlops.controls(lr=(1e-4, 1e-1, "log"), epochs=(1, 50), opt=["adam", "sgd"]).run(train)``
  calls ``train(**values)`` in a new tracked run per press (:mod:`.api`).

Under the controls, a live table of the runs made from them and a chart of a metric against
the changed parameter. Headless (papermill, ``jupyter mlops run``) nothing is shown and the
code runs once with its own or injected values. Importing this package loads no ipywidgets.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _ControlsModule(types.ModuleType):
    """``mlops.controls(...)`` is the API and ``jupyter_mlops.controls`` this package: importing a
    submodule makes the package the attribute ``controls`` of ``jupyter_mlops``, so the package
    itself answers the call (loading ipywidgets only then)."""

    def __call__(self, **declarations: Any) -> Any:
        from .api import controls

        return controls(**declarations)


sys.modules[__name__].__class__ = _ControlsModule
