"""Local worker processes: each runs the jobs its coordinator sends, one at a time.

``python -m jupyter_mlops.runner.worker COORDINATOR_PID FD...`` is the worker host. It
imports papermill once, then forks one worker per socket it was handed, so the workers start
at once and share that import. Being a fresh interpreter (and not a multiprocessing child), it
never re-imports the caller's ``__main__``. The host runs in its own session: Ctrl-C in the
terminal reaches the coordinator only, which passes it on as a graceful stop.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from .execute import cancel_executions, execute_job
from .jobs import ExecutionResult
from .kernels import kernel_pool

PARENT_POLL = 1.0


def start_workers(count: int) -> tuple[subprocess.Popen[bytes], list[Connection]]:
    """Start a worker host with ``count`` workers; return it and one connection per worker."""
    pairs = [socket.socketpair() for _ in range(count)]
    theirs = [b.fileno() for _a, b in pairs]
    host = subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlops.runner.worker", str(os.getpid()), *map(str, theirs)],
        pass_fds=theirs,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    connections = []
    for mine, other in pairs:
        other.close()
        connections.append(Connection(mine.detach()))
    return host, connections


def worker_main(conn: Connection, coordinator_pid: int) -> None:
    """Serve ``("run", job, following)`` messages until ``("stop",)`` or the coordinator goes."""
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    threading.Thread(
        target=_watch_coordinator,
        args=(coordinator_pid,),
        daemon=True,
        name="jupyter-mlops-parent-watch",
    ).start()
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                break
            if message[0] != "run":
                break
            _kind, job, following = message
            try:
                result = execute_job(job, following, slot="local")
            except BaseException as exc:  # noqa: BLE001 - reported to the coordinator
                result = _failed(job, exc)
            try:
                conn.send(result)
            except (OSError, EOFError):
                break
    finally:
        kernel_pool().shutdown()


def _on_signal(signum: int, frame: Any) -> None:
    cancel_executions(None)


def _watch_coordinator(pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            cancel_executions(None)
            return
        except PermissionError:
            continue


def _failed(job: Any, exc: BaseException) -> ExecutionResult:
    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    from ..errors import RunError

    error = RunError.from_exception(exc, traceback="").to_dict()
    return ExecutionResult(job.key, job.run_id, status, error=error, params=dict(job.parameters))


def _host(coordinator_pid: int, fds: list[int]) -> int:
    """Import once, fork one worker per connection, wait for them all."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ..store import sqlstore  # noqa: F401 - the heavy imports every worker shares
    from . import papermill_engine  # noqa: F401

    children = []
    for index, fd in enumerate(fds):
        if not hasattr(os, "fork"):  # pragma: no cover - one host per worker there
            worker_main(Connection(fd), coordinator_pid)
            return 0
        pid = os.fork()
        if pid == 0:
            for other in fds[:index] + fds[index + 1 :]:
                with contextlib.suppress(OSError):
                    os.close(other)
            code = 0
            try:
                worker_main(Connection(fd), coordinator_pid)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(_host(int(sys.argv[1]), [int(fd) for fd in sys.argv[2:]]))
