"""One notebook execution is one run.

:class:`Job` says what to execute (it travels to worker processes and Dask workers, so it
carries the notebook itself and the resolved store location); :func:`execute_job` runs it in
the current process: it creates the run (``source = "notebook"``), gives the kernel the run id
and store in its environment so that ``mlops.log_*`` and ``%%track`` inside the notebook log to
that run, stores the executed notebook as the run's snapshot, and ends the run as finished,
failed (cell index, exception name and value; ``reason = "timeout"`` past ``timeout``) or
interrupted.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import config
from ..store import open_store
from .heartbeat import beating
from .kernels import KernelLaunch, PreparedKernel, kernel_pool

#: After interrupting a cancelled or timed-out cell, how long before the kernel is killed.
INTERRUPT_GRACE = 2.0
NOT_STARTED = "not started"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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


def describe_error(error: dict[str, Any] | None) -> str:
    """One line for a run's error: ``ZeroDivisionError: division by zero (cell 4)``."""
    if not error:
        return ""
    text = f"{error.get('ename', 'error')}: {error.get('evalue', '')}"
    if error.get("cell") is not None and error.get("reason") is None:
        text += f" (cell {error['cell']})"
    return text


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


@contextlib.contextmanager
def _sigint_cancels(execution: Execution) -> Iterator[None]:
    """In the main thread, a first Ctrl-C stops the notebook gracefully (the cell gets a
    KeyboardInterrupt, the partial notebook is kept); a second one raises at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:  # a worker process handles Ctrl-C itself
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if execution.reason == "interrupted":
            raise KeyboardInterrupt
        execution.cancel("interrupted")

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
        return _failed_to_start(job, exc)
    for upcoming in following:
        try:
            pool.prestart(upcoming.launch(), slot)
        except Exception:  # noqa: BLE001 - it is launched again when its turn comes
            break
    from . import engine  # noqa: F401 - papermill imports while the kernel boots, before the run starts

    store = open_store(job.store)
    execution = Execution(job, kernel)
    try:
        if not job.created:
            create_run(store, job)
        with _registry_lock:
            _active[job.run_id] = execution
        if is_cancelled(job.batch):
            execution.reason = "interrupted"
        with beating(store, job.run_id), _sigint_cancels(execution):
            status, error, notebook = _run(execution)
    except BaseException as exc:
        execution.reason = execution.reason or "interrupted"
        execution.kernel.stop()
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        _end(store, job, status, _error_of(exc, status), execution.notebook)
        raise
    finally:
        with _registry_lock:
            _active.pop(job.run_id, None)
        execution.kernel.stop()
        execution.kernel.close_log()
    run = _end(store, job, status, error, notebook)
    if run is None:  # deleted meanwhile
        return ExecutionResult(
            job.key,
            job.run_id,
            status,
            error=error,
            params=effective_parameters(job),
            duration=time.monotonic() - started,
            output_path=job.output_path,
        )
    return ExecutionResult(
        job.key,
        job.run_id,
        status,
        error=error,
        params=run.params,
        metrics=run.metrics,
        outputs=run.outputs,
        duration=run.duration or 0.0,
        output_path=job.output_path,
    )


def _failed_to_start(job: Job, exc: Exception) -> ExecutionResult:
    store = open_store(job.store)
    error = _error_of(exc, "failed")
    error["evalue"] = f"the kernel {job.kernel_name!r} could not start: {error['evalue']}"
    if not job.created:
        create_run(store, job)
    store.end_run(job.run_id, "failed", error=error)
    return ExecutionResult(job.key, job.run_id, "failed", error=error, params=effective_parameters(job))


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


def _run(execution: Execution) -> tuple[str, dict[str, Any] | None, Any]:
    """Execute; return (status, error, executed notebook)."""
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    from .engine import execute_notebook

    job = execution.job
    error: dict[str, Any] | None = None
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
        error = _cell_error(execution.notebook, exc)
    except _Stopped:
        pass
    except DeadKernelError:
        error = _dead_kernel_error(execution)
    except Exception as exc:  # noqa: BLE001 - a kernel that would not start, a bad notebook...
        error = _error_of(exc, "failed")
        tail = execution.kernel.log_tail()
        if tail:
            error["kernel_log"] = tail
    finally:
        execution.notebook_done()
    if execution.reason == "timeout":
        return "failed", _stopped_error(execution, error, "timeout"), execution.notebook
    if execution.reason == "interrupted":
        return "interrupted", _stopped_error(execution, error, "interrupted"), execution.notebook
    return ("failed" if error else "finished"), error, execution.notebook


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


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


def _cell_error(notebook: Any, exc: Any) -> dict[str, Any]:
    index = _failed_cell(notebook)
    return {
        "ename": exc.ename,
        "evalue": _plain(str(exc.evalue)),
        "traceback": _plain("\n".join(exc.traceback or [])),
        "cell": index if index is not None else exc.cell_index,
        "execution_count": exc.exec_count,
        "source": exc.source,
    }


def _failed_cell(notebook: Any) -> int | None:
    """Index, in the executed notebook, of the cell that failed (papermill marks it)."""
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            return index
    return None


def _running_cell(notebook: Any) -> int | None:
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("papermill", {}).get("status") == "running":
            return index
    return _failed_cell(notebook)


def _dead_kernel_error(execution: Execution) -> dict[str, Any]:
    cell = _running_cell(execution.notebook)
    where = f" while cell {cell} ran" if cell is not None else ""
    error: dict[str, Any] = {
        "ename": "DeadKernelError",
        "evalue": f"the kernel died{where}",
        "traceback": "",
        "cell": cell,
    }
    tail = execution.kernel.log_tail()
    if tail:
        error["kernel_log"] = tail
        error["evalue"] += f"; its last words: {tail.splitlines()[-1]}"
    return error


def _stopped_error(
    execution: Execution, error: dict[str, Any] | None, reason: str
) -> dict[str, Any]:
    cell = (error or {}).get("cell")
    if cell is None:
        cell = _running_cell(execution.notebook)
    if reason == "timeout":
        limit = execution.job.timeout
        evalue = f"the notebook did not finish within {limit:g} s" + (
            f"; cell {cell} was running" if cell is not None else ""
        )
        ename = "Timeout"
    else:
        evalue = "interrupted" + (
            f" while cell {cell} was running" if cell is not None else " before it started"
        )
        ename = "KeyboardInterrupt"
    return {
        "reason": reason,
        "ename": ename,
        "evalue": evalue,
        "cell": cell,
        "traceback": (error or {}).get("traceback", ""),
    }


def _error_of(exc: BaseException, status: str) -> dict[str, Any]:
    import traceback

    return {
        "ename": type(exc).__name__,
        "evalue": _plain(str(exc)) or ("interrupted" if status == "interrupted" else ""),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        "cell": None,
    }


def _end(store: Any, job: Job, status: str, error: dict[str, Any] | None, notebook: Any) -> Any:
    """Store the snapshot and end the run; return the stored run (None if it never existed)."""
    from ..errors import RunNotFound

    if notebook is not None:
        try:
            from nbformat.v4 import writes_json  # what nbformat.writes does, minus validation

            store.set_snapshot(job.run_id, writes_json(notebook).encode("utf-8"))
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
