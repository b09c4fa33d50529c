"""Headless runs of notebooks with papermill: single runs, sweeps, pipelines and re-runs, on
local processes or a Dask cluster, each execution a tracked run.

Importing this package is cheap: papermill, PyYAML and distributed load on first use.

```python
from jupyter_mlops.runner import run_notebook, sweep, run_pipeline, rerun, diff_runs

run = run_notebook("train.ipynb", {"lr": 0.01}, experiment="churn")
result = sweep("train.ipynb", {"lr": [0.1, 0.01], "epochs": [5, 10]}, workers=2, sort="-metrics.acc")
new_id = rerun(run.id, {"lr": 0.02}, background=True)   # returns once the new run exists
```
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import RunDiff, diff_runs
    from .errors import Interrupted, RunnerError
    from .jobs import ExecutionResult
    from .pipelines.run import PipelineResult
    from .pipelines.spec import Pipeline, run_pipeline
    from .reproduction import Reproduction, reproduce
    from .reruns import RerunStart, rerun, rerun_start
    from .single import run_notebook
    from .sweeps import SweepResult, parse_grid, sweep

_EXPORTS = {
    "run_notebook": "single",
    "sweep": "sweeps",
    "parse_grid": "sweeps",
    "SweepResult": "sweeps",
    "Pipeline": "pipelines.spec",
    "PipelineResult": "pipelines.run",
    "run_pipeline": "pipelines.spec",
    "reproduce": "reproduction",
    "Reproduction": "reproduction",
    "rerun": "reruns",
    "rerun_start": "reruns",
    "RerunStart": "reruns",
    "diff_runs": "diff",
    "RunDiff": "diff",
    "ExecutionResult": "jobs",
    "RunnerError": "errors",
    "Interrupted": "errors",
}

__all__ = [
    "ExecutionResult",
    "Interrupted",
    "Pipeline",
    "PipelineResult",
    "RerunStart",
    "Reproduction",
    "RunDiff",
    "RunnerError",
    "SweepResult",
    "diff_runs",
    "parse_grid",
    "reproduce",
    "rerun",
    "rerun_start",
    "run_notebook",
    "run_pipeline",
    "sweep",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_mlops.runner' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
