"""Errors of the runner: bad notebooks, parameters, grids and pipeline files.

All of them are raised before any kernel starts, so nothing has run when one reaches the user.
"""

from __future__ import annotations

from ..errors import InvalidInput, MlopsError
from ..notebook.cells import NotebookError


class RunnerError(MlopsError):
    """The runner cannot do what was asked."""


class ParameterError(RunnerError, InvalidInput):
    """A parameter value does not fit the notebook's ``parameters`` cell."""


class KernelNotFound(RunnerError, InvalidInput):
    """No kernel of that name is installed."""


class GridError(RunnerError, InvalidInput):
    """A ``--grid`` or ``--random`` option cannot be understood."""


class PipelineError(RunnerError, InvalidInput):
    """The pipeline file is wrong: unknown steps, cycles, bad references, missing notebooks."""


class NotRerunnable(RunnerError, InvalidInput):
    """This run cannot be executed again (no snapshot, no notebook, ...); the message says why."""


class NotebookOutsideRoot(NotRerunnable):
    """The run's notebook lies outside the directory a re-run may be started from (a server's
    root): re-run it from a shell instead."""


class ExecutorError(RunnerError):
    """The executor (worker processes, Dask cluster) could not be started or used."""


class ParameterWarning(UserWarning):
    """A parameter is not defined in the notebook's ``parameters`` cell (it is injected anyway)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run, sweep or pipeline. ``result`` holds what was recorded by then:
    running executions ended ``interrupted``, queued ones never started."""

    def __init__(self, result: object) -> None:
        super().__init__("interrupted")
        self.result = result


__all__ = [
    "ExecutorError",
    "GridError",
    "Interrupted",
    "KernelNotFound",
    "NotRerunnable",
    "NotebookError",
    "NotebookOutsideRoot",
    "ParameterError",
    "ParameterWarning",
    "PipelineError",
    "RunnerError",
]
