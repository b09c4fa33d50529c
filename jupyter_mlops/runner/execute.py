"""One notebook execution is one run.

:func:`execute_job` runs a :class:`~.jobs.Job` in the current process: it creates the run
(:mod:`.job_runs`, ``source = "notebook"``), gives the kernel the run id
and store in its environment so that ``mlops.log_*`` and ``%%track`` inside the notebook log to
that run, stores the executed notebook as the run's snapshot and what the kernel ran as its
execution record, and ends the run as finished, failed or interrupted, with a
:class:`~jupyter_mlops.errors.RunError` built in :mod:`.failures` (the cell, as its author counts
cells; ``reason = "timeout"`` past ``timeout``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from ..errors import RunError
from ..store import open_store
from ..tracking.writer import beating
from . import failures, termination
from .job_runs import create_run, end_job_run, failed_to_start
from .jobs import NOT_STARTED, ExecutionResult, Job, effective_parameters
from .kernels import PreparedKernel, kernel_pool

#: After interrupting a cancelled or timed-out cell, how long before the kernel is killed.
INTERRUPT_GRACE = 2.0


# --- cancellation ----------------------------------------------------------------------


_active: dict[str, Execution] = {}
_cancelled_batches: set[str] = set()
_cancel_all = False
_registry_lock = threading.RLock()  # re-entrant: a SIGINT handler may take it


def cancel_executions(batch: str | None = None) -> int:
    """Interrupt the executions of ``batch`` (all when None) running in this process, and
    refuse to start more of them. Returns how many were running."""
    global _cancel_all
    with _registry_lock:
        if batch is None:
            _cancel_all = True
        else:
            _cancelled_batches.add(batch)
        running = [e for e in _active.values() if batch is None or e.job.batch == batch]
    for execution in running:
        execution.cancel("interrupted")
    return len(running)


def is_cancelled(batch: str) -> bool:
    with _registry_lock:
        return _cancel_all or batch in _cancelled_batches


# --- one execution -----------------------------------------------------------------------


class Execution:
    """The state of one running execution: its kernel, its notebook, why it stopped early."""

    def __init__(self, job: Job, kernel: PreparedKernel) -> None:
        self.job = job
        self.kernel = kernel
        self.language = job.language
        self.reason: str | None = None  # "timeout" or "interrupted" once cancelled
        self.notebook: Any = None  # the notebook being executed (papermill's NotebookNode)
        self._done = threading.Event()
        self._lock = threading.RLock()

    @property
    def stopping(self) -> bool:
        return self.reason is not None

    def cancel(self, reason: str) -> None:
        """Stop the execution: interrupt the running cell, kill the kernel if that is not enough."""
        with self._lock:
            if self.reason is not None or self._done.is_set():
                return
            self.reason = reason
        threading.Thread(target=self._stop_kernel, name="jupyter-mlops-cancel", daemon=True).start()

    def _stop_kernel(self) -> None:
        self.kernel.interrupt()
        if not self._done.wait(INTERRUPT_GRACE):
            self.kernel.kill()

    def watch(self, timeout: float | None) -> None:
        if timeout is None or timeout <= 0:
            return

        def expire() -> None:
            if not self._done.wait(timeout):
                self.cancel("timeout")

        threading.Thread(target=expire, name="jupyter-mlops-timeout", daemon=True).start()

    def notebook_done(self) -> None:
        self._done.set()

    def relaunch_kernel(self) -> None:
        """Replace a kernel that failed to start with a fresh one."""
        self.kernel.stop()
        self.kernel.close_log()
        self.kernel = PreparedKernel(self.job.launch(), self.kernel.slot)


def execute_job(
    job: Job, following: Sequence[Job] = (), slot: str | None = None
) -> ExecutionResult:
    """Run ``job`` in this process. The kernels of ``following`` (the jobs this slot runs
    next) are launched now, so that they boot while this notebook executes."""
    pool = kernel_pool()
    pool.discard(slot, {job.run_id} | {j.run_id for j in following})
    if is_cancelled(job.batch):
        return ExecutionResult(job.key, job.run_id, NOT_STARTED)
    started = time.monotonic()
    try:
        kernel = pool.take(job.launch(), slot)
        kernel.connect()
    except Exception as exc:  # noqa: BLE001 - no kernel (a missing cwd on this worker...): the run fails
        return failed_to_start(job, exc)
    for upcoming in following:
        try:
            pool.prestart(upcoming.launch(), slot)
        except Exception:  # noqa: BLE001 - it is launched again when its turn comes
            break
    from . import papermill_engine  # noqa: F401 - papermill imports while the kernel boots, before the run starts

    store = open_store(job.store)
    execution = Execution(job, kernel)
    try:
        if not job.created:
            create_run(store, job)
        with _registry_lock:
            _active[job.run_id] = execution
        if is_cancelled(job.batch):
            execution.reason = "interrupted"
        with beating(store, job.run_id), termination.sigint_cancels(execution):
            status, error, notebook = _run(execution)
    except BaseException as exc:
        execution.reason = execution.reason or "interrupted"
        execution.kernel.stop()
        if isinstance(exc, KeyboardInterrupt):  # a second Ctrl-C (or SIGTERM): stop at once
            status, record = "interrupted", _stopped(execution, None, "interrupted")
        else:
            status, record = "failed", RunError.from_exception(exc)
        end_job_run(store, job, status, record, execution.notebook)
        raise
    finally:
        with _registry_lock:
            _active.pop(job.run_id, None)
        execution.kernel.stop()
        execution.kernel.close_log()
    run = end_job_run(store, job, status, error, notebook)
    if run is None:  # deleted meanwhile
        return ExecutionResult(
            job.key,
            job.run_id,
            status,
            error=error.to_dict() if error is not None else None,
            params=effective_parameters(job),
            duration=time.monotonic() - started,
            output_path=job.output_path,
        )
    return ExecutionResult(
        job.key,
        job.run_id,
        status,
        error=run.error,
        params=run.params,
        metrics=run.metrics,
        outputs=run.outputs,
        duration=run.duration or 0.0,
        output_path=job.output_path,
    )


def _run(execution: Execution) -> tuple[str, RunError | None, Any]:
    """Execute; return (status, error, executed notebook)."""
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    from .papermill_engine import execute_notebook

    job = execution.job
    own = failures.has_injected_cell(job.notebook)
    error: RunError | None = None
    execution.watch(job.timeout)
    try:
        notebook = execution.notebook = _prepare(job)
        if execution.stopping:
            raise _Stopped
        notebook = execute_notebook(notebook, job.kernel_name, execution, job.output_path)
        execution.notebook = notebook
        raise_for_execution_errors(notebook, job.output_path)
        if job.output_path:
            from papermill.iorw import write_ipynb

            write_ipynb(notebook, job.output_path)
    except PapermillExecutionError as exc:
        error = failures.execution_error(execution.notebook, exc, own)
    except _Stopped:
        pass
    except DeadKernelError:
        if not execution.stopping:  # a kernel killed because it ignored the stop is no news
            error = failures.dead_kernel_error(execution.notebook, execution.kernel.log_tail(), own)
    except Exception as exc:  # noqa: BLE001 - a kernel that would not start, a bad notebook...
        error = RunError.from_exception(exc, kernel_log=execution.kernel.log_tail() or None)
    finally:
        execution.notebook_done()
    if execution.reason in ("timeout", "interrupted"):
        status = "failed" if execution.reason == "timeout" else "interrupted"
        return status, _stopped(execution, error, execution.reason), execution.notebook
    return ("failed" if error else "finished"), error, execution.notebook


def _stopped(execution: Execution, error: RunError | None, reason: str) -> RunError:
    return failures.stopped_error(
        execution.notebook, error, reason, timeout=execution.job.timeout,
        own_injected=failures.has_injected_cell(execution.job.notebook),
    )


class _Stopped(Exception):
    """Cancelled before the first cell."""


def _prepare(job: Job) -> Any:
    """The notebook as papermill would load it, parameterised, with its papermill metadata."""
    import nbformat
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.parameterize import parameterize_notebook
    from papermill.version import version as papermill_version

    notebook = nbformat.from_dict(job.notebook)
    notebook.setdefault("nbformat_minor", 4)
    notebook = nbformat.v4.upgrade(notebook) or notebook
    if "papermill" not in notebook.metadata:
        notebook.metadata["papermill"] = {
            "default_parameters": {},
            "parameters": {},
            "environment_variables": {},
            "version": papermill_version,
        }
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    if job.parameters:
        notebook = parameterize_notebook(
            notebook, job.parameters, kernel_name=job.kernel_name, language=job.language or "python"
        )
    notebook = prepare_notebook_metadata(
        notebook, job.input_label or job.notebook_path, job.output_path
    )
    return remove_error_markers(notebook)


