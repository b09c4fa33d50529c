"""Executions in a background process: the caller returns as soon as the run exists.

``python -m jupyter_mlops.runner.background`` reads one pickled :class:`~.jobs.Job` on
stdin and executes it. The run is created by the caller first, with the background process's
pid, so it reads ``running`` at once and ``crashed`` should that process die.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from .job_runs import create_run
from .jobs import Job


def start_in_background(store: Any, job: Job, then: Callable[[], Any] | None = None) -> str:
    """Create the run of ``job`` (status running) and execute it in a new process; ``then``
    (picklable: a module-level function or a partial of one) runs there once it has ended."""
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlops.runner.background"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=job.cwd,
    )
    try:
        create_run(store, job, pid=process.pid)
        job.created = True
        assert process.stdin is not None
        process.stdin.write(pickle.dumps((job, then)))
        process.stdin.close()
    except BaseException:
        process.kill()
        process.wait()
        raise
    # reap it when it ends, so that it leaves no zombie behind in a long-lived caller
    threading.Thread(target=process.wait, name="jupyter-mlops-background", daemon=True).start()
    return job.run_id


def main() -> int:
    data = sys.stdin.buffer.read()
    if not data:
        return 2  # the caller went away before handing over the job
    job, then = pickle.loads(data)
    from .execute import execute_job
    from .termination import sigterm_as_interrupt

    with contextlib.suppress(KeyboardInterrupt), sigterm_as_interrupt():  # `kill PID` ends it interrupted
        execute_job(job)
        if then is not None:
            then()
    from .kernels import kernel_pool

    kernel_pool().shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
