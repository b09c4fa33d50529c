"""Re-running a run: the notebook stored in its snapshot (not whatever the file says today),
with its parameters, some overridden (``jupyter mlops rerun``, the REST API, the widgets)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..store import open_store
from ..store.ids import new_run_id
from .errors import Interrupted, RunnerError
from .execute import Job
from .notebook import parse_notebook
from .plan import check_timeout, prepare_target


def rerun(
    run_id: str,
    params: Mapping[str, Any] | None = None,
    store: Any = None,
    background: bool = False,
    *,
    name: str | None = None,
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> str:
    """Execute the snapshot of run ``run_id`` again, as a new run tagged ``rerun_of``; return
    the new run's id.

    The parameters are those the run was executed with (papermill's injected parameters, or
    for a tracked cell the run's params that the parameters cell defines), updated with
    ``params`` and converted to the parameters cell's types. With ``background=True`` this
    returns as soon as the new run exists (status ``running``) and the notebook executes in a
    separate process: a web handler can answer at once and the page can watch the run.
    """
    from ..store.sqlstore import Store, validate_name

    the_store = store if isinstance(store, Store) else open_store(store)
    if name is not None:
        validate_name("run name", name)
    job = rerun_job(
        the_store, run_id, params or {}, name=name, kernel=kernel, cwd=cwd, timeout=timeout
    )
    if background:
        from .background import start_in_background

        return start_in_background(the_store, job)
    from .executors import InlineExecutor

    with InlineExecutor() as executor:
        executor.submit(job)
        for _result in executor.results():
            pass
    if executor.interrupted:
        raise Interrupted(the_store.get_run(job.run_id))
    return job.run_id


def rerun_job(
    store: Any,
    run_id: str,
    params: Mapping[str, Any],
    *,
    name: str | None = None,
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> Job:
    """The job that re-executes run ``run_id``; every check done, nothing started."""
    old = store.get_run(run_id)
    data = store.snapshot_bytes(old.id)
    if data is None:
        raise RunnerError(
            f"run {old.id} has no notebook snapshot, so there is nothing to execute again; runs "
            "made by `jupyter mlops run` and by %%track cells keep one (unless --no-snapshot)"
        )
    notebook = parse_notebook(data, old.notebook_path, f"the snapshot of run {old.id}")
    if cwd is None and old.notebook_path and Path(old.notebook_path).parent.is_dir():
        cwd = Path(old.notebook_path).parent
    target = prepare_target(notebook, kernel or old.tags.get("kernel") or None, cwd or os.getcwd())
    base = notebook.injected_parameters()
    if not base and target.specs:
        base = {key: value for key, value in old.params.items() if key in target.specs}
    values = target.resolve({**base, **dict(params)})
    tags = {"rerun_of": old.id, "kernel": target.kernel_name}
    return target.job(
        new_run_id(),
        values,
        store=store.location,
        name=name or old.name,
        experiment=old.experiment,
        tags=tags,
        timeout=check_timeout(timeout),
        key=old.id,
    )
