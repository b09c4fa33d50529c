"""Re-running a run: the notebook stored in its snapshot (not whatever the file says today),
started from the parameters the run had, some overridden.

:func:`rerun_start` is the one place that decides what a re-run starts from and whether the
run can be re-run at all; ``jupyter mlops rerun``, the REST API (``GET``/``POST
runs/{id}/rerun``), the sidebar's and the widgets' forms all ask it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..notebook.cells import Notebook, NotebookError, parse_notebook
from ..notebook.params import injected_names, parameter_specs
from ..store import open_store
from ..store.ids import new_run_id
from .errors import Interrupted, NotebookOutsideRoot, NotRerunnable
from .jobs import Job
from .targets import check_timeout, prepare_target

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store


@dataclass(frozen=True)
class RerunParam:
    """A parameter a re-run sets, with the value it keeps unless changed."""

    name: str
    value: Any
    kind: str | None  # the parameters cell's type for it (bool, int, float, str, ...); None: any


@dataclass
class RerunStart:
    """What a re-run of a run starts from, or why there can be none."""

    run_id: str
    name: str
    experiment: str
    notebook_path: str | None
    params: list[RerunParam] = field(default_factory=list)
    problem: NotRerunnable | None = None

    @property
    def rerunnable(self) -> bool:
        return self.problem is None

    @property
    def values(self) -> dict[str, Any]:
        return {param.name: param.value for param in self.params}

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "name": self.name,
            "experiment": self.experiment,
            "notebook_path": self.notebook_path,
            "rerunnable": self.rerunnable,
            "reason": str(self.problem) if self.problem else None,
            "params": [
                {"name": p.name, "value": p.value, "kind": p.kind} for p in self.params
            ],
        }


def rerun_start(
    store: Store, run: Run | str, *, root: str | os.PathLike[str] | None = None
) -> RerunStart:
    """What a re-run of ``run`` starts from: its notebook snapshot, and the params the run
    recorded for the names its notebook takes as parameters (those of its ``parameters``
    cell and papermill's injected cell; literal defaults where the run recorded none).
    Never the notebook's ``metadata.papermill``, which papermill can leave stale.

    With ``root`` (a server's root directory), a run whose notebook lies outside it, or that
    was not made from a notebook file, cannot be re-run from there.
    """
    return _plan(store, run, root)[0]


def _plan(
    store: Store, run: Run | str, root: str | os.PathLike[str] | None
) -> tuple[RerunStart, Notebook | None]:
    old = store.get_run(run) if isinstance(run, str) else run
    start = RerunStart(old.id, old.name, old.experiment, old.notebook_path)
    if root is not None:
        start.problem = _outside(old, root)
        if start.problem is not None:
            return start, None
    data = store.snapshot_bytes(old.id)
    if data is None:
        start.problem = NotRerunnable(
            f"run {old.id} has no notebook snapshot, so there is nothing to execute again; runs "
            "made by `jupyter mlops run` and by %%track cells keep one (unless --no-snapshot)"
        )
        return start, None
    try:
        notebook = parse_notebook(data, old.notebook_path, f"the snapshot of run {old.id}")
        start.params = _starting_params(notebook, old.params)
    except NotebookError as exc:
        start.problem = NotRerunnable(f"run {old.id} cannot be re-run: {exc}")
        return start, None
    return start, notebook


def _outside(run: Run, root: str | os.PathLike[str]) -> NotRerunnable | None:
    if not run.notebook_path:
        return NotRerunnable(
            f"run {run.id} was not made from a notebook, so there is nothing to re-run"
        )
    base = Path(root).resolve()
    try:
        path = Path(run.notebook_path).expanduser()
        path = (path if path.is_absolute() else base / path).resolve()
    except (OSError, RuntimeError):  # a stored path the system cannot resolve: not inside
        path = None
    if path is None or (path != base and base not in path.parents):
        return NotebookOutsideRoot(
            f"the run's notebook {run.notebook_path} is outside this server's root directory, so "
            f"it is not re-run from here; run `jupyter mlops rerun {run.id}` in a shell instead"
        )
    return None


def _starting_params(notebook: Notebook, recorded: Mapping[str, Any]) -> list[RerunParam]:
    specs = parameter_specs(notebook) or {}
    injected = injected_names(notebook)
    if injected is None:  # not Python: no syntax tree to read the names from
        return [RerunParam(name, value, None) for name, value in recorded.items()]
    params = []
    for name in dict.fromkeys([*specs, *injected]):
        spec = specs.get(name)
        if name in recorded:
            value = recorded[name]
        elif spec is not None and spec.literal:
            value = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        else:
            continue  # a computed default: the notebook's own code sets it
        params.append(RerunParam(name, value, spec.kind if spec is not None else None))
    return params


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
    root: str | os.PathLike[str] | None = None,
) -> str:
    """Execute the snapshot of run ``run_id`` again, as a new run tagged ``rerun_of``; return
    the new run's id.

    The parameters are those of :func:`rerun_start` (the run's own), updated with ``params``
    and converted to the parameters cell's types. With ``background=True`` this returns as
    soon as the new run exists (status ``running``) and the notebook executes in a separate
    process: a web handler can answer at once and the page can watch the run.
    """
    from ..store.sqlstore import Store, validate_name

    the_store = store if isinstance(store, Store) else open_store(store)
    if name is not None:
        validate_name("run name", name)
    job = rerun_job(
        the_store, run_id, params or {}, name=name, kernel=kernel, cwd=cwd, timeout=timeout,
        root=root,
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
    root: str | os.PathLike[str] | None = None,
    tags: Mapping[str, str] | None = None,
    parent_id: str | None = None,
) -> Job:
    """The job that re-executes run ``run_id``; every check done, nothing started. ``tags``
    say what the new run is to the old one (default: ``rerun_of``)."""
    old = store.get_run(run_id)
    start, notebook = _plan(store, old, root)
    if start.problem is not None:
        raise start.problem
    assert notebook is not None
    if cwd is None and old.notebook_path and Path(old.notebook_path).parent.is_dir():
        cwd = Path(old.notebook_path).parent
    target = prepare_target(notebook, kernel or old.tags.get("kernel") or None, cwd or os.getcwd())
    values = target.resolve({**start.values, **dict(params)})
    relation = dict(tags) if tags is not None else {"rerun_of": old.id}
    return target.job(
        new_run_id(),
        values,
        store=store.location,
        name=name or old.name,
        experiment=old.experiment,
        parent_id=parent_id,
        tags={**relation, "kernel": target.kernel_name},
        timeout=check_timeout(timeout),
        key=old.id,
    )
