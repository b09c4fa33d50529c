"""Where executions run: this process, local worker processes, or a Dask cluster.

:class:`Executor` is a template method. It owns the scheduling: a queue of jobs, one job per
slot at a time, and for each busy slot the job it will run next, so that the slot can launch
that job's kernel while the current notebook executes. Subclasses only start their slots,
dispatch a job to a slot, collect finished results, interrupt and stop.

Ctrl-C: :meth:`Executor.cancel` drops the queued jobs (they never start, so no run exists for
them), interrupts the running ones (their runs end ``interrupted``) and waits for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from typing import Any

from .errors import ExecutorError
from .execute import NOT_STARTED, ExecutionResult, Job

EXECUTORS = ("local", "dask")
#: How many queued jobs each slot launches kernels for ahead of time (0: none).
PRESTART = 2
#: How long a cancelled execution may take to wind down before its worker is killed.
CANCEL_WAIT = 20.0


class Executor(ABC):
    """Runs jobs on a number of slots. Use as a context manager."""

    def __init__(self, workers: int = 1, prestart: int = PRESTART) -> None:
        if workers < 1:
            raise ExecutorError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.prestart = max(0, int(prestart))
        self.interrupted = False  # set when a slot saw Ctrl-C itself (in-process execution)
        self._queue: deque[Job] = deque()
        self._running: dict[str, Job] = {}
        self._next: dict[str, deque[Job]] = {}  # slot -> jobs it runs next (kernels launched ahead)
        self._slots: list[str] = []
        self._started = False
        self._closed = False

    # --- the template -------------------------------------------------------------------

    def start(self) -> None:
        if not self._started:
            self._slots = list(self._start())
            if not self._slots:
                raise ExecutorError("the executor has no worker to run notebooks on")
            self._started = True

    def submit(self, *jobs: Job) -> None:
        """Queue jobs; they are handed to the slots on the next :meth:`wait`."""
        self.start()
        self._queue.extend(jobs)

    @property
    def running(self) -> int:
        """How many jobs are executing now."""
        return len(self._running)

    @property
    def busy(self) -> bool:
        return bool(self._queue or self._running or any(self._next.values()))

    def wait(self, timeout: float | None = None) -> list[ExecutionResult]:
        """Block until at least one job finishes (or ``timeout``); return the finished ones."""
        if not self._running:
            self._fill()
            if not self._running:
                return []
        finished = self._collect(timeout)
        for slot, _result in finished:
            self._running.pop(slot, None)
        self._fill()
        return [result for _slot, result in finished if result.status != NOT_STARTED]

    def results(self) -> Iterator[ExecutionResult]:
        while self.busy:
            yield from self.wait()

    def cancel(self) -> list[ExecutionResult]:
        """Drop queued jobs, interrupt running ones, and return the results of those."""
        self._queue.clear()
        self._next.clear()
        results: list[ExecutionResult] = []
        if not self._running:
            return results
        self._interrupt()
        deadline = time.monotonic() + CANCEL_WAIT
        while self._running and time.monotonic() < deadline:
            for slot, result in self._collect(max(0.05, deadline - time.monotonic())):
                self._running.pop(slot, None)
                if result.status != NOT_STARTED:
                    results.append(result)
        for slot, job in list(self._running.items()):
            results.append(self._abandon(slot, job))
            self._running.pop(slot, None)
        return results

    def close(self) -> None:
        if self._started and not self._closed:
            self._closed = True
            self._stop()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- scheduling -------------------------------------------------------------------------

    def _fill(self) -> None:
        dispatched = []
        for slot in self._slots:
            if slot in self._running:
                continue
            ahead = self._next.get(slot)
            job = ahead.popleft() if ahead else None
            if job is None and self._queue:
                job = self._queue.popleft()
            if job is None:  # idle while another slot holds jobs back: take its last one
                others = [q for q in self._next.values() if q]
                if others:
                    job = max(others, key=len).pop()
            if job is None:
                break
            self._running[slot] = job
            dispatched.append(slot)
        for slot in dispatched:
            ahead = self._next.setdefault(slot, deque())
            while len(ahead) < self.prestart and self._queue:
                ahead.append(self._queue.popleft())
            self._dispatch(slot, self._running[slot], list(ahead))

    # --- what subclasses provide -------------------------------------------------------------

    @abstractmethod
    def _start(self) -> list[str]:
        """Start the workers; return the names of the slots (one job at a time each)."""

    @abstractmethod
    def _dispatch(self, slot: str, job: Job, following: list[Job]) -> None:
        """Start ``job`` on ``slot``; ``following`` are the jobs the slot runs next, whose
        kernels it may launch now."""

    @abstractmethod
    def _collect(self, timeout: float | None) -> list[tuple[str, ExecutionResult]]:
        """Results of jobs that finished, waiting up to ``timeout`` for the first one."""

    @abstractmethod
    def _interrupt(self) -> None:
        """Ask the running executions to stop (their runs end ``interrupted``)."""

    @abstractmethod
    def _stop(self) -> None:
        """Stop the workers and end every kernel they still hold."""

    def _abandon(self, slot: str, job: Job) -> ExecutionResult:
        """A job whose worker did not answer after it was cancelled."""
        return lost_result(job, "interrupted", "the worker did not stop in time and was killed")


def lost_result(job: Job, status: str, message: str) -> ExecutionResult:
    """The result of a job whose worker went away; ends its run if the run exists."""
    from ..errors import MlopsError, RunError
    from ..store import open_store

    ename = "WorkerLost" if status != "interrupted" else "KeyboardInterrupt"
    error = RunError(ename, message, reason="interrupted" if status == "interrupted" else None).to_dict()
    try:
        store = open_store(job.store)
        run = store.get_run(job.run_id)
        if run.status in ("running", "crashed"):
            store.end_run(job.run_id, status, error=error)
    except MlopsError:
        return ExecutionResult(job.key, job.run_id, NOT_STARTED)
    return ExecutionResult(job.key, job.run_id, status, error=error, params=dict(job.parameters))


def failure_result(job: Job, exc: BaseException) -> ExecutionResult:
    from ..errors import RunError

    error = RunError.from_exception(exc).to_dict()
    return ExecutionResult(job.key, job.run_id, "failed", error=error, params=dict(job.parameters))


# --- in this process -----------------------------------------------------------------------


def inline_slot() -> str:
    """A slot name of its own for each in-process executor (several may run at once)."""
    from ..store.ids import new_run_id

    return f"inline-{new_run_id()}"


class InlineExecutor(Executor):
    """Runs jobs one after another in this process (``--workers 1``, ``jupyter mlops run``)."""

    def __init__(self, prestart: int = PRESTART, slot: str | None = None) -> None:
        super().__init__(1, prestart)
        self.slot = slot or inline_slot()
        self._pending: tuple[str, Job, list[Job]] | None = None

    def _start(self) -> list[str]:
        return [self.slot]

    def _dispatch(self, slot: str, job: Job, following: list[Job]) -> None:
        self._pending = (slot, job, following)

    def _collect(self, timeout: float | None) -> list[tuple[str, ExecutionResult]]:
        from .execute import execute_job

        if self._pending is None:
            return []
        slot, job, following = self._pending
        self._pending = None
        try:
            result = execute_job(job, following, slot)
        except KeyboardInterrupt:
            self._next.clear()
            raise
        except Exception as exc:  # noqa: BLE001 - one broken job must not stop the others
            result = failure_result(job, exc)
        if result.status == "interrupted":
            self.interrupted = True
        return [(slot, result)]

    def _interrupt(self) -> None:
        self._pending = None

    def _abandon(self, slot: str, job: Job) -> ExecutionResult:
        return ExecutionResult(job.key, job.run_id, NOT_STARTED)

    def cancel(self) -> list[ExecutionResult]:
        self._pending = None
        self._running.clear()
        return super().cancel()

    def _stop(self) -> None:
        from .kernels import kernel_pool, wait_for_stopped_kernels

        kernel_pool().discard(self.slot, keep=set())
        wait_for_stopped_kernels()


# --- local worker processes -----------------------------------------------------------------


class LocalProcessExecutor(Executor):
    """Runs jobs in ``workers`` processes on this machine, each with its own kernel pool.

    The workers are forked by a host process that imported papermill once (see
    :mod:`.worker`); the host and its workers are a process group of their own, which
    Ctrl-C in the terminal does not reach: the coordinator passes it on.
    """

    def _start(self) -> list[str]:
        from .worker import start_workers

        host, connections = start_workers(self.workers)
        self._dispatched = False
        self._hosts = [host]
        self._conns = {f"worker-{i}": conn for i, conn in enumerate(connections)}
        self._host_of = {slot: host for slot in self._conns}
        return list(self._conns)

    def _dispatch(self, slot: str, job: Job, following: list[Job]) -> None:
        self._dispatched = True
        try:
            self._conns[slot].send(("run", job, following))
        except (OSError, EOFError):
            self._replace(slot)
            self._conns[slot].send(("run", job, following))

    def _collect(self, timeout: float | None) -> list[tuple[str, ExecutionResult]]:
        from multiprocessing.connection import wait

        by_conn: dict[Any, str] = {self._conns[s]: s for s in self._running}
        finished: list[tuple[str, ExecutionResult]] = []
        for conn in wait(list(by_conn), timeout):
            slot = by_conn[conn]
            try:
                result: ExecutionResult = self._conns[slot].recv()
            except (EOFError, OSError):
                job = self._running[slot]
                result = lost_result(job, "crashed", "the worker process died")
                self._replace(slot)
            finished.append((slot, result))
        return finished

    def _replace(self, slot: str) -> None:
        from .worker import start_workers

        with contextlib.suppress(OSError):
            self._conns[slot].close()
        host, (conn,) = start_workers(1)
        self._hosts.append(host)
        self._conns[slot] = conn
        self._host_of[slot] = host

    def _signal_workers(self, signum: int) -> None:
        for host in self._hosts:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(host.pid, signum)

    def _interrupt(self) -> None:
        self._signal_workers(signal.SIGINT)

    def _abandon(self, slot: str, job: Job) -> ExecutionResult:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._host_of[slot].pid, signal.SIGKILL)
        return super()._abandon(slot, job)

    def _stop(self) -> None:
        if not self._dispatched:  # nothing ever ran there: no need to wait for the import
            self._signal_workers(signal.SIGKILL)
        for conn in self._conns.values():
            with contextlib.suppress(OSError, EOFError):
                conn.send(("stop",))
        deadline = time.monotonic() + 10
        for host in self._hosts:
            try:
                host.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(host.pid, signal.SIGKILL)
                host.wait(5)
        for conn in self._conns.values():
            conn.close()


def make_executor(
    kind: str = "local", workers: int = 1, scheduler: str | None = None, prestart: int = PRESTART
) -> Executor:
    """The executor for ``--executor``/``--workers``/``--scheduler``."""
    if kind not in EXECUTORS:
        raise ExecutorError(f"unknown executor {kind!r}; use one of {', '.join(EXECUTORS)}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ExecutorError(
            f"--workers is how many notebooks run at once: a whole number of at least 1, got {workers!r}"
        )
    if kind == "dask":
        from .dask_executor import DaskExecutor

        return DaskExecutor(workers, scheduler, prestart)
    if scheduler:
        raise ExecutorError("--scheduler only goes with --executor dask")
    if workers == 1:
        return InlineExecutor(prestart)
    return LocalProcessExecutor(workers, prestart)
