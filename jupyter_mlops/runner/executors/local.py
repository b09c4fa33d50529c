"""Executors on this machine: :class:`InlineExecutor` runs jobs one after another in this
process, :class:`LocalProcessExecutor` in worker processes (``--executor local``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Any

from ..errors import ExecutorError
from ..jobs import NOT_STARTED, ExecutionResult, Job
from .base import PRESTART, Executor, failure_result, lost_result

# --- in this process -----------------------------------------------------------------------


def inline_slot() -> str:
    """A slot name of its own for each in-process executor (several may run at once)."""
    from ...store.ids import new_run_id

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
        from ..execute import execute_job

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
        from ..kernels import kernel_pool, wait_for_stopped_kernels

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
        from ..worker import start_workers

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
        from ..worker import start_workers

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


def local_executor(workers: int = 1, scheduler: str | None = None, prestart: int = PRESTART) -> Executor:
    """``--executor local``: this process for one worker, else as many worker processes."""
    if scheduler:
        raise ExecutorError("--scheduler only goes with --executor dask")
    if workers == 1:
        return InlineExecutor(prestart)
    return LocalProcessExecutor(workers, prestart)


__all__ = ["InlineExecutor", "LocalProcessExecutor", "inline_slot", "local_executor"]
