"""The run a job records in the store: created ``running`` (``source = "notebook"``), ended
with the executed notebook as its snapshot and what the kernel ran as its execution record,
or failed when no kernel would start."""

from __future__ import annotations

from typing import Any

from ..errors import RunError
from ..store import open_store
from . import failures
from .jobs import ExecutionResult, Job, effective_parameters


def create_run(store: Any, job: Job, pid: int | None = None) -> None:
    """Record the run of ``job`` as running (``pid``: the process that will execute it)."""
    import socket

    from ..environment import capture_environment

    env = job.env
    if not env or env.get("host") != socket.gethostname():
        env = capture_environment(job.cwd)
    store.create_run(
        job.run_id,
        name=job.name,
        experiment=job.experiment,
        parent_id=job.parent_id,
        source="notebook",
        notebook_path=job.notebook_path,
        env=env,
        params=effective_parameters(job),
        tags=job.tags,
        pid=pid,
    )


def failed_to_start(job: Job, exc: Exception) -> ExecutionResult:
    store = open_store(job.store)
    error = failures.start_error(exc, job.kernel_name).to_dict()
    if not job.created:
        create_run(store, job)
    store.end_run(job.run_id, "failed", error=error)
    return ExecutionResult(job.key, job.run_id, "failed", error=error, params=effective_parameters(job))


def end_job_run(store: Any, job: Job, status: str, record: RunError | None, notebook: Any) -> Any:
    """Store the snapshot and end the run; return the stored run (None if it never existed)."""
    from ..capture.execution import executed_record
    from ..errors import RunNotFound

    error = record.to_dict() if record is not None else None
    if notebook is not None:
        try:
            from nbformat.v4 import writes_json  # what nbformat.writes does, minus validation

            store.set_snapshot(job.run_id, writes_json(notebook).encode("utf-8"))
            store.set_execution_record(job.run_id, executed_record(notebook))
        except RunNotFound:
            return None
        except Exception as exc:  # noqa: BLE001 - an unserialisable notebook must not lose the run
            error = dict(error or {})
            error.setdefault("snapshot_error", str(exc))
    try:
        store.end_run(job.run_id, status, error=error)
        return store.get_run(job.run_id)
    except RunNotFound:
        return None


__all__ = ["create_run", "end_job_run", "failed_to_start"]
