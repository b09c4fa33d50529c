"""The base of every executor (:mod:`.local` holds this process's and the local workers',
:mod:`.dask` Dask's; :mod:`.registry` finds them by name): :class:`Executor` is a template method. It owns the scheduling: a queue of jobs, one job per
slot at a time, and for each busy slot the job it will run next, so that the slot can launch
that job's kernel while the current notebook executes. Subclasses only start their slots,
dispatch a job to a slot, collect finished results, interrupt and stop.

Ctrl-C: :meth:`Executor.cancel` drops the queued jobs (they never start, so no run exists for
them), interrupts the running ones (their runs end ``interrupted``) and waits for them.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from typing import Any

from ..errors import ExecutorError
from ..jobs import NOT_STARTED, ExecutionResult, Job

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
    from ...errors import MlopsError, RunError
    from ...store import open_store

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
    from ...errors import RunError

    error = RunError.from_exception(exc).to_dict()
    return ExecutionResult(job.key, job.run_id, "failed", error=error, params=dict(job.parameters))


__all__ = ["CANCEL_WAIT", "PRESTART", "Executor", "failure_result", "lost_result"]
