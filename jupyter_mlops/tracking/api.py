"""The module-level tracking API: start, attach to and end runs, and log to the active one
(``mlops.log_metric`` ...). Inside a notebook the runner executes, the first call attaches
to the runner's run."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import InvalidInput, NoActiveRun
from ..store import open_store
from ..store.batches import NewRun
from ..store.ids import new_run_id
from .active import ActiveRun, active_run, check_status, finish_run, push, stack
from .hooks import install_exit_hooks
from .writer import Series, writer

if TYPE_CHECKING:
    from ..store.entities import Artifact, Run
    from ..store.sqlstore import Store


def start_run(
    name: str | None = None,
    experiment: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    parent: Run | ActiveRun | str | None = None,
    store: str | os.PathLike[str] | Store | None = None,
    *,
    source: str = "api",
    notebook_path: str | None = None,
    env: Mapping[str, Any] | None = None,
    deferred: bool = False,
    proposed_params: Mapping[str, Any] | None = None,
) -> ActiveRun:
    """Start a run; it becomes the active run until it ends. Also a context manager.

    Started while another run is active (or with ``parent``), it is that run's child and,
    unless ``experiment`` says otherwise, in the same experiment; else in ``"default"``.

    ``deferred`` (how ``%%track`` starts a cell's run) writes the run's row with its first
    batch, within ``FLUSH_INTERVAL`` or at its end, instead of now: a short run then costs
    one transaction. Bad names and a read-only store are still refused at once.

    ``proposed_params`` (a deferred run's params found by capture, see
    :meth:`ActiveRun.propose_param`) go with that first batch; those that are not
    valid params are left out.
    """
    from ..store.sqlstore import Store as _Store

    the_store = store if isinstance(store, _Store) else open_store(store)
    parent_id = parent if isinstance(parent, str) or parent is None else parent.id
    parent_experiment = None if parent is None or isinstance(parent, str) else parent.experiment
    if parent_id is None and stack and stack[-1].store is the_store:
        parent_id, parent_experiment = stack[-1].id, stack[-1].experiment
    pending_parent = writer.pending(parent_id)
    if pending_parent is not None:  # a deferred parent is written before its child
        pending_parent.flush()
    if parent_id and parent_experiment is None and (experiment is None or deferred):
        # a child stays in its parent's experiment; a deferred child's parent must exist now
        parent_experiment = the_store.get_run(parent_id).experiment
    if experiment is None:
        experiment = parent_experiment or "default"
    run_id = new_run_id()
    name = name if name is not None else f"run-{run_id[-5:]}"
    if env is None:
        from ..environment import capture_environment

        env = capture_environment(fresh_git=False)
    params = dict(params or {})
    tags = {str(k): str(v) for k, v in (tags or {}).items()}
    if deferred:
        run = ActiveRun(the_store, run_id, name, experiment, parent_id, source, {}, {})
        new_run = NewRun(name=name, experiment=experiment, parent_id=parent_id, source=source,
                         notebook_path=notebook_path, env=env, started_at=run.started_at)
        the_store.check_writable()
        if params:
            run.log_params(params)
        if tags:
            run.stage(tags=tags)
        run._pending_create = new_run
    else:
        run = ActiveRun(the_store, run_id, name, experiment, parent_id, source, params, tags)
        the_store.create_run(run_id, name=name, experiment=experiment, parent_id=parent_id, source=source,
                             notebook_path=notebook_path, env=env, params=params, tags=tags,
                             started_at=run.started_at)
    for key, value in (proposed_params or {}).items():
        with contextlib.suppress(InvalidInput, TypeError, ValueError):
            run.propose_param(key, value)
    _push(run)
    return run


def attach_run(run_id: str, store: str | os.PathLike[str] | Store | None = None) -> ActiveRun:
    """Make a run started by another process (the runner) this process's active run.

    Ending it here is left to its owner: ``end_run`` only flushes and detaches it.
    """
    from ..store.sqlstore import Store as _Store

    the_store = store if isinstance(store, _Store) else open_store(store)
    stored = the_store.get_run(run_id)
    run = ActiveRun(the_store, stored.id, stored.name, stored.experiment, stored.parent_id, stored.source,
                    dict(stored.params), dict(stored.tags))
    run._owned = False
    for key, point in the_store.last_steps(stored.id).items():
        run._series[key] = Series(point + 1)
    _push(run)
    return run


def _push(run: ActiveRun) -> None:
    install_exit_hooks()
    push(run)


def end_run(status: str = "finished", *, run: ActiveRun | None = None, error: Mapping[str, Any] | None = None) -> None:
    """End the active run (or ``run``): write its pending points, then record its status."""
    check_status(status)
    target = run or active_run()
    if target is not None:
        finish_run(target, status, error)


def _require_active() -> ActiveRun:
    if stack:
        return stack[-1]
    run_id = os.environ.get(config.RUN_ID_ENV)
    if run_id:  # inside a notebook executed by the runner: log to the runner's run
        return attach_run(run_id)
    raise NoActiveRun(
        "no active run: start one with `with mlops.start_run():`, `%%track` on the cell, "
        "or `%track start`"
    )


def log_param(key: str, value: Any) -> None:
    _require_active().log_params({key: value})


def log_params(params: Mapping[str, Any]) -> None:
    _require_active().log_params(params)


def log_metric(key: str, value: Any, step: int | None = None) -> None:
    (stack[-1] if stack else _require_active()).log_metric(key, value, step)


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    _require_active().log_metrics(metrics, step)


def log_artifact(path: str | os.PathLike[str], name: str | None = None) -> Artifact:
    return _require_active().log_artifact(path, name)


def set_tag(key: str, value: Any) -> None:
    _require_active().set_tags({key: value})


def set_tags(tags: Mapping[str, Any]) -> None:
    _require_active().set_tags(tags)


def output(name: str, value: Any) -> None:
    """Record a JSON value that later pipeline steps can use as ``${steps.NAME.outputs.name}``."""
    _require_active().output(name, value)


def get_store(location: str | os.PathLike[str] | None = None) -> Store:
    return open_store(location)


__all__ = ["active_run", "attach_run", "end_run", "get_store", "log_artifact", "log_metric", "log_metrics",
           "log_param", "log_params", "output", "set_tag", "set_tags", "start_run"]
