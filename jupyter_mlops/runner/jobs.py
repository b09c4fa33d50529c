"""What the runner executes and what becomes of it: a :class:`Job` (it travels to worker
processes and Dask workers, so it carries the notebook itself and the resolved store location)
and its :class:`ExecutionResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import config
from .kernels import KernelLaunch

#: The status of a job cancelled before it began: no run exists for it.
NOT_STARTED = "not started"


@dataclass
class Job:
    """One notebook execution to run, anywhere."""

    run_id: str
    notebook: dict[str, Any]  # the notebook document, outputs stripped
    kernel_name: str
    cwd: str
    store: str  # the resolved store location (a directory every worker can reach, or a URL)
    name: str
    notebook_path: str | None = None  # recorded on the run, and given to the kernel
    input_label: str | None = None  # papermill's metadata.papermill.input_path
    language: str | None = "python"
    parameters: dict[str, Any] = field(default_factory=dict)
    experiment: str = "default"
    parent_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    output_path: str | None = None
    key: str = ""  # the caller's label: a step name, a combination number
    batch: str = ""  # the sweep or pipeline it belongs to (cancelled together)
    created: bool = False  # the run already exists (a background rerun creates it first)
    env: dict[str, Any] | None = None  # captured by the coordinator; used on the same host

    def launch(self) -> KernelLaunch:
        env = {
            config.STORE_ENV: self.store,
            config.RUN_ID_ENV: self.run_id,
            config.NOTEBOOK_ENV: self.notebook_path or "",
        }
        return KernelLaunch(self.run_id, self.kernel_name, self.cwd, env)


@dataclass
class ExecutionResult:
    """What became of a job: its run's final status and what the run recorded."""

    key: str
    run_id: str
    status: str  # a run status, or "not started" (cancelled before it began: no run exists)
    error: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    output_path: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "finished"


def effective_parameters(job: Job) -> dict[str, Any]:
    """The params of an execution: the literal defaults of the notebook's parameters cell (and
    of an injected-parameters cell it already has), updated with the parameters passed, so
    that runs of a sweep compare on every parameter, not only those varied."""
    from ..capture.params import notebook_parameters

    cells = (
        (cell.get("source", ""), cell.get("metadata", {}).get("tags", []))
        for cell in job.notebook.get("cells", [])
        if cell.get("cell_type") == "code"
    )
    sources = ((s if isinstance(s, str) else "".join(s), tags) for s, tags in cells)
    return {**notebook_parameters(sources), **job.parameters}


__all__ = ["NOT_STARTED", "ExecutionResult", "Job", "effective_parameters"]
