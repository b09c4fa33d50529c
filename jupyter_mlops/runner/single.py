"""``run_notebook``: execute one notebook as one tracked run (``jupyter mlops run``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..config import resolve_location
from ..store import open_store
from ..store.ids import new_run_id
from .errors import Interrupted
from .executors import InlineExecutor, inline_slot
from .kernels import kernel_pool
from .targets import check_names, check_output, check_timeout, prepare_target

if TYPE_CHECKING:
    from ..store.entities import Run


def run_notebook(
    notebook: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    experiment: str = "default",
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    output: str | os.PathLike[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    parent: str | None = None,
    store: str | os.PathLike[str] | None = None,
) -> Run:
    """Execute ``notebook`` with papermill as one run (``source = "notebook"``) and return it.

    ``parameters`` take the types of the defaults in the notebook's ``parameters`` cell (text
    such as ``"1"`` is converted); a value that cannot convert raises before any kernel starts.
    The run ends ``finished``, or ``failed`` with ``run.error`` naming the cell, exception name
    and value (``reason = "timeout"`` past ``timeout`` seconds). The executed notebook is the
    run's snapshot, and is also written to ``output`` when given, even when a cell failed.
    Ctrl-C stops the notebook and raises :class:`~.errors.Interrupted` carrying the run.
    """
    target = prepare_target(notebook, kernel, cwd)
    values = target.resolve(parameters or {})
    limit = check_timeout(timeout)
    output_path = check_output(output)
    location = resolve_location(store, cwd=os.getcwd())
    run_id = new_run_id()
    run_tags = {"kernel": target.kernel_name, **{str(k): str(v) for k, v in (tags or {}).items()}}
    if output_path:
        run_tags["output"] = output_path
    job = target.job(
        run_id,
        values,
        store=location,
        name=name or target.stem,
        experiment=experiment,
        parent_id=parent,
        tags=run_tags,
        timeout=limit,
        output_path=output_path,
        key=target.stem,
    )
    slot = inline_slot()
    pool = kernel_pool()
    pool.prestart(job.launch(), slot)  # it boots while papermill and the store load
    try:
        check_names(name, experiment)  # (imports the store's SQL layer)
    except BaseException:
        pool.discard(slot, keep=set())
        raise
    with InlineExecutor(slot=slot) as executor:
        executor.submit(job)
        results = list(executor.results())
    run = open_store(location).get_run(run_id)
    if executor.interrupted or (results and results[0].status == "interrupted"):
        raise Interrupted(run)
    return run
