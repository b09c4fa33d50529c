"""Executions as tasks on a Dask distributed cluster (``--executor dask``). ``distributed``
is imported when such an executor starts, not with this module."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from ..errors import ExecutorError
from ..jobs import ExecutionResult, Job
from .base import PRESTART, Executor, failure_result, lost_result


@contextlib.contextmanager
def _terminal_ctrl_c_ignored() -> Iterator[None]:
    """Processes started meanwhile ignore SIGINT (the disposition survives their exec), so that
    Ctrl-C in the terminal reaches only this process, which stops the notebooks gracefully."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _dask_execute(job: Job, following: list[Job], slot: str) -> ExecutionResult:
    from ..execute import execute_job

    try:
        return execute_job(job, following, slot)
    except Exception as exc:  # noqa: BLE001 - reported as the job's failure, not a task error
        return failure_result(job, exc)


def _dask_cancel(batches: list[str]) -> int:
    from ..execute import cancel_executions

    return sum(cancel_executions(batch) for batch in batches)


def _dask_release() -> int:
    from ..kernels import kernel_pool

    return kernel_pool().shutdown()


class DaskExecutor(Executor):
    """Runs jobs as tasks on a Dask distributed cluster: the one at ``scheduler``, or a
    LocalCluster of ``workers`` processes on 127.0.0.1. Each worker process keeps its own
    kernel pool; the job tells it where the store is."""

    def __init__(
        self, workers: int = 1, scheduler: str | None = None, prestart: int = PRESTART
    ) -> None:
        super().__init__(workers, prestart)
        self.scheduler = scheduler
        self._cluster: Any = None
        self._client: Any = None
        self._futures: dict[str, Any] = {}

    def _start(self) -> list[str]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError(
                "--executor dask needs the distributed package: pip install 'jupyter-mlops[dask]'"
            ) from exc
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout=15)
            else:
                prepare_main_for_spawn()
                with _terminal_ctrl_c_ignored():
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        host="127.0.0.1",
                    )
                self._client = Client(self._cluster)
        except OSError as exc:
            where = self.scheduler or "a local cluster"
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {where}: {exc}; check "
                "--scheduler (tcp://HOST:PORT) and that the scheduler is running"
            ) from exc
        if self.scheduler:
            with contextlib.suppress(Exception):
                self._client.wait_for_workers(1, timeout=30)
        try:
            info = self._client.scheduler_info(n_workers=-1)
        except TypeError:  # distributed before 2025 lists every worker by default
            info = self._client.scheduler_info()
        workers = info.get("workers", {})
        slots = [
            f"{address}#{i}"
            for address, info in sorted(workers.items())
            for i in range(int(info.get("nthreads", 1)))
        ]
        if not slots:
            raise ExecutorError(
                f"the Dask cluster at {self.scheduler} has no workers; start some "
                "with `dask worker SCHEDULER_ADDRESS`"
            )
        return slots

    def _dispatch(self, slot: str, job: Job, following: list[Job]) -> None:
        address = slot.rsplit("#", 1)[0]
        self._futures[slot] = self._client.submit(
            _dask_execute,
            job,
            following,
            slot,
            key=f"jupyter-mlops-{job.run_id}",
            workers=[address],
            allow_other_workers=True,
            pure=False,
        )

    def _collect(self, timeout: float | None) -> list[tuple[str, ExecutionResult]]:
        from distributed import wait
        from distributed.utils import TimeoutError as DaskTimeout

        futures = {self._futures[s]: s for s in self._running if s in self._futures}
        try:
            done, _ = wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except (DaskTimeout, TimeoutError):
            return []
        finished = []
        for future in done:
            slot = futures[future]
            self._futures.pop(slot, None)
            job = self._running[slot]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost, a task that could not run
                result = lost_result(
                    job, "crashed", f"the Dask task failed: {type(exc).__name__}: {exc}"
                )
            finished.append((slot, result))
        return finished

    def _interrupt(self) -> None:
        batches = sorted({job.batch for job in self._running.values()})
        with contextlib.suppress(Exception):
            self._client.run(_dask_cancel, batches)

    def _abandon(self, slot: str, job: Job) -> ExecutionResult:
        future = self._futures.pop(slot, None)
        if future is not None:
            with contextlib.suppress(Exception):
                future.cancel()
        return super()._abandon(slot, job)

    def _stop(self) -> None:
        with contextlib.suppress(Exception):
            self._client.run(_dask_release)
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()


def prepare_main_for_spawn() -> None:
    """Worker processes are spawned, and spawning reads ``__main__.__spec__``; some hosts
    (embedded interpreters, test runners, kernels) install a ``__main__`` without one."""
    main = sys.modules.get("__main__")
    if main is not None and not hasattr(main, "__spec__"):
        with contextlib.suppress(AttributeError, TypeError):
            main.__spec__ = None


__all__ = ["DaskExecutor", "prepare_main_for_spawn"]
