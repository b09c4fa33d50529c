"""The run of a tracked cell (``%%track``) or of a span of cells (``%track start`` … ``stop``).

What a run records, beside what the code logs itself:

- params: literal top-level assignments of the cell(s), the notebook's ``parameters`` and
  ``injected-parameters`` cells (their names, with the kernel's current values when those
  are plain literals, else the saved ones), and the variables named with ``--param``.
  A captured param that the code already logged with another value keeps the logged one
  (with a warning): capture never breaks a cell.
- the notebook snapshot (the saved file, else one built from the kernel's history) and
  the execution record; the cell's own source is the record's last entry.
- the environment, and system metrics sampled while the run is open.

Inside a notebook executed by the runner (``JUPYTER_MLOPS_RUN_ID`` set) everything goes
to the runner's run, which is neither ended nor given a snapshot here: the runner stores
the executed notebook itself when it ends.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config, tracking
from ..environment import capture_environment
from ..errors import InvalidInput, MlopsError, ParamConflict, RunError
from . import files
from .execution import build_record, kernel_history
from .notebook import (
    NotebookUnreadable,
    SavedNotebook,
    Snapshot,
    find_notebook,
    read_notebook,
    take_snapshot,
)
from .params import literal_assignments, namespace_values, notebook_parameters, to_param
from .system import SystemSampler

# Cells tracked within this many seconds share one look at git (unless it changed).
GIT_MAX_AGE = 2.0
SUMMARY_METRICS = 5

Warn = Callable[[str], None]


@dataclass
class TrackOptions:
    """What ``%%track`` / ``%track start`` were asked for on their line."""

    name: str | None = None
    experiment: str = "default"
    params: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    snapshot: bool = True
    quiet: bool = False
    io: bool = True  # record the files read and written (capture/files.py)


@dataclass(frozen=True)
class RunSummary:
    """The line shown after a tracked cell."""

    run_id: str
    name: str
    status: str
    duration: float | None
    metrics: dict[str, float]
    attached: bool = False


def current_execution_count(shell: Any, history: list[tuple[int, str]]) -> int | None:
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    count = getattr(result, "execution_count", None)
    if isinstance(count, int):
        return count
    return history[-1][0] if history else None


class TrackedRun:
    """A run being recorded for one cell or a span of cells. Use :meth:`begin`, then
    :meth:`finish` (which never raises: problems become warnings)."""

    def __init__(self, shell: Any, options: TrackOptions, warn: Warn, run: tracking.ActiveRun, *,
                 attached: bool, detach: bool, notebook_path: Path | None,
                 captured: dict[str, Any]) -> None:
        self.shell = shell
        self.options = options
        self.warn = warn
        self.run = run
        self.attached = attached
        self._detach = detach
        self.notebook_path = notebook_path
        self.captured_params = captured
        self.started = time.monotonic()
        self._sampler: SystemSampler | None = None
        self._files: files.FileCapture | None = None

    @property
    def id(self) -> str:
        return self.run.id

    # --- starting -----------------------------------------------------------------

    @classmethod
    def begin(cls, shell: Any, options: TrackOptions, warn: Warn, *, capture_notebook: bool = True,
              literals: Mapping[str, Any] | None = None) -> TrackedRun:
        """Start the run (or attach to the runner's). ``capture_notebook`` stores the snapshot
        and execution record now (a cell); a span stores them when it finishes. ``literals``,
        the cell's literal assignments, are params from the run's first write on."""
        runner_run = os.environ.get(config.RUN_ID_ENV)
        if runner_run:
            tracked = cls._attach(shell, options, warn, runner_run)
            tracked.note_literals(literals or {})
        else:
            tracked = cls._start(shell, options, warn, capture_notebook, literals or {})
        try:
            tracked._sampler = SystemSampler(tracked.run.log_metrics).start()
        except KeyboardInterrupt:
            tracked.finish("interrupted", summary=False)
            raise
        except Exception as exc:  # noqa: BLE001 - the run is recorded without system metrics
            warn(f"system metrics are not recorded: {exc}")
        if options.io:
            tracked._files = files.start(tracked.run.store, tracked.id, notebook=tracked.notebook_path)
        return tracked

    @classmethod
    def _attach(cls, shell: Any, options: TrackOptions, warn: Warn, run_id: str) -> TrackedRun:
        current = tracking.active_run()
        reuse = current is not None and current.id == run_id and not current._owned
        run = current if reuse and current is not None else tracking.attach_run(run_id)
        if options.name or options.experiment != "default":
            warn(f"--name and --experiment are ignored in a notebook run by jupyter mlops: "
                 f"this cell logs into its run {run_id}")
        if options.tags:
            run.set_tags(options.tags)
        return cls(shell, options, warn, run, attached=True, detach=not reuse, notebook_path=None, captured={})

    @classmethod
    def _start(cls, shell: Any, options: TrackOptions, warn: Warn, capture_notebook: bool,
               literals: Mapping[str, Any]) -> TrackedRun:
        history = kernel_history(shell)
        path, problem = find_notebook(shell.user_ns)
        saved: SavedNotebook | None = None
        tags = dict(options.tags)
        snapshot: Snapshot | None = None
        if capture_notebook and options.snapshot:
            snapshot, saved = take_snapshot(shell.user_ns, history)
            tags.update(snapshot.tags)
        elif path is not None:
            saved, problem = _read(path)
        if problem and capture_notebook and not options.snapshot:
            warn(f"the execution record is built without the notebook file: {problem}")

        if saved is not None:
            defaults = notebook_parameters((c.source, c.tags) for c in saved.code_cells)
        else:  # papermill / nbclient: the kernel is not told its notebook; its history tells
            defaults = history_parameters(history)
        captured = {**defaults, **namespace_values(defaults, shell.user_ns), **literals}

        count = current_execution_count(shell, history)
        name = options.name or _default_name(path, count)
        env = capture_environment(path or os.getcwd(), git_max_age=GIT_MAX_AGE)
        proposed = {k: v for k, v in captured.items() if k not in options.metrics}
        run = tracking.start_run(name, options.experiment, tags=tags, source="cell", deferred=True,
                                 notebook_path=str(path) if path else None, env=env,
                                 proposed_params=proposed)
        tracked = cls(shell, options, warn, run, attached=False, detach=False, notebook_path=path,
                      captured=proposed)
        if capture_notebook:
            try:
                tracked._store_notebook(history, saved, snapshot)
            except KeyboardInterrupt:  # no run may stay open (and parent later cells) after this
                tracking.end_run("interrupted", run=run)
                raise
        return tracked

    # --- while it runs -------------------------------------------------------------

    def note_cell(self, source: str) -> None:
        """Capture the literal assignments of a cell that ran in this run (later ones win)."""
        try:
            code = self.shell.transform_cell(source) if hasattr(self.shell, "transform_cell") else source
        except Exception:  # noqa: BLE001 - a cell IPython cannot transform has no literals for us
            return
        self.note_literals(literal_assignments(code))

    def note_literals(self, literals: Mapping[str, Any]) -> None:
        """Keep literal assignments as params, but not those of ``--metric`` variables. They go
        to the store with the run's next batch, so a running run shows them; :meth:`finish`
        settles them (a cell that stopped early keeps only the assignments that ran)."""
        found = {k: v for k, v in literals.items() if k not in self.options.metrics}
        self.captured_params.update(found)
        for key, value in found.items():
            with contextlib.suppress(MlopsError, TypeError, ValueError):  # finish says why, once the cell has run
                self.run.propose_param(key, value)

    # --- finishing -------------------------------------------------------------------

    def finish(self, status: str, error: RunError | Mapping[str, Any] | None = None, *,
               capture_notebook: bool = False, summary: bool = True) -> RunSummary | None:
        """Record the end of the run; returns its summary (None when not asked for, or when the
        end could not be recorded). ``error`` is located in the saved notebook (the cell's
        position, as its author counts cells) when it does not say where it happened."""
        record = RunError.from_dict(error)
        error = self._located(record).to_dict() if record is not None else None
        try:
            if self._files is not None:
                self._files.stop()
            if self._sampler is not None:
                self._sampler.stop()
            if not self.attached and self.run.status != "running":
                return self.summary(self.run.status) if summary else None  # the code ended the run
            self._log_captured(status)
            if capture_notebook and not self.attached:
                self._capture_notebook_at_end()
            if self.attached:
                if self._detach:
                    tracking.end_run(status, run=self.run)
                else:
                    self.run.flush()
            else:
                tracking.end_run(status, run=self.run, error=error)
            return self.summary(status) if summary else None
        except Exception as exc:  # noqa: BLE001 - the user's work is never blocked by tracking
            self.warn(f"could not record the end of run {self.run.id}: {exc}")
            if self.run.status == "running" and not self.attached:
                with contextlib.suppress(Exception):
                    tracking.end_run(status, run=self.run, error=error)
            return None

    def _located(self, error: RunError) -> RunError:
        """``error`` with the cell's position in the saved notebook, when the cell is found
        there (its body after the magic line matches the cell that ran)."""
        if error.cell is not None or not error.source or self.notebook_path is None:
            return error
        saved, _ = _read(self.notebook_path)
        body = error.source.strip()
        for position, cell in enumerate(saved.cells if saved is not None else (), start=1):
            lines = cell.source.strip().split("\n", 1)
            own = lines[1] if lines[0].startswith("%%") and len(lines) > 1 else cell.source
            if cell.cell_type == "code" and own.strip() == body:
                return error.replace(cell=position, cell_index=cell.index)
        return error

    def _log_captured(self, status: str) -> None:
        namespace = self.shell.user_ns
        params = dict(self.captured_params)
        if status != "finished":  # the cell stopped early: keep only assignments that ran
            params = {k: v for k, v in params.items() if k in namespace and to_param(namespace[k]) == (True, v)}
        for name in self.options.params:
            if name not in namespace:
                if status == "finished":
                    self.warn(f"--param {name}: no variable named {name!r} after the cell; not recorded")
                continue
            ok, value = to_param(namespace[name])
            if not ok:
                self.warn(f"--param {name}: a {type(namespace[name]).__name__} is not a JSON value; "
                          "its repr is recorded instead")
            params[name] = value
        self.run.withdraw_params(set(self.captured_params) - set(params))
        for key, value in params.items():
            try:
                self.run.propose_param(key, value)
            except ParamConflict:
                self.warn(f"param {key!r} was already logged as {_short(self.run.params.get(key))} in run "
                          f"{self.run.id}; keeping that, not {_short(value)}")
            except InvalidInput as exc:
                self.warn(f"param {key!r} not recorded: {exc}")
        for name in self.options.metrics:
            if name not in namespace:
                if status == "finished":
                    self.warn(f"--metric {name}: no variable named {name!r} after the cell; not recorded")
                continue
            try:
                self.run.log_metric(name, namespace[name])
            except (TypeError, MlopsError) as exc:
                self.warn(f"--metric {name} not recorded: {exc}")

    def _store_notebook(self, history: list[tuple[int, str]], saved: SavedNotebook | None,
                        snapshot: Snapshot | None) -> None:
        """Stage the snapshot and the execution record: they are written with the run's end."""
        try:
            digest = None
            if snapshot is not None:
                known = saved.digest if saved is not None and snapshot.origin == "file" else None
                # a saved notebook already stored (an earlier cell's) is not hashed or written again
                digest = known if known is not None and self.run.store.has_snapshot(known) else None
            self.run.stage(tags=snapshot.tags if snapshot is not None else None,
                           snapshot=snapshot.data if snapshot is not None and digest is None else None,
                           snapshot_digest=digest, execution_record=build_record(history, saved))
        except Exception as exc:  # noqa: BLE001 - the run goes on without them
            self.warn(f"could not store the notebook snapshot of run {self.run.id}: {exc}")

    def _capture_notebook_at_end(self) -> None:
        history = kernel_history(self.shell)
        snapshot = None
        saved = None
        if self.options.snapshot:
            snapshot, saved = take_snapshot(self.shell.user_ns, history)
        elif self.notebook_path is not None:
            saved, _ = _read(self.notebook_path)
        self._store_notebook(history, saved, snapshot)

    def summary(self, status: str) -> RunSummary:
        run = self.run
        if not self.attached and run.ended_at is not None:  # all it logged went through this process
            name, stored_status, duration, metrics = run.name, run.status, run.ended_at - run.started_at, run.last_metrics
        else:
            brief = run.store.run_brief(run.id)
            name, stored_status, duration, metrics = brief.name, brief.status, brief.duration, brief.metrics
        metrics = {k: v for k, v in metrics.items() if not k.startswith("system/")}
        chosen = [k for k in self.options.metrics if k in metrics]
        chosen += sorted(k for k in metrics if k not in chosen)
        if self.attached:  # the runner's run is still open: this cell's own time
            stored_status, duration = status, time.monotonic() - self.started
        return RunSummary(run_id=self.run.id, name=name, status=stored_status, duration=duration,
                          metrics={k: metrics[k] for k in chosen[:SUMMARY_METRICS]}, attached=self.attached)


#: The first line of the cell papermill injects into a Python notebook (its translator's comment).
PAPERMILL_HEADER = "# Parameters"


def history_parameters(history: list[tuple[int, str]]) -> dict[str, Any]:
    """The params of the notebook's parameters cells, read from what the kernel ran, for a
    kernel that cannot see its notebook (papermill and nbclient do not tell it). papermill runs
    the cells in order and injects its cell right after the ``parameters`` cell, so the cell
    run just before an injected one (``# Parameters`` first) is the parameters cell. With no
    parameters passed papermill injects nothing, and then the parameters cell cannot be told
    from any other: set ``JUPYTER_MLOPS_NOTEBOOK`` to the notebook's path to have it read."""
    sources = [source for _, source in history]
    cells: list[tuple[str, tuple[str, ...]]] = []
    # a substring test first: every tracked cell scans the whole history, and few cells hold it
    for index in [i for i, source in enumerate(sources) if PAPERMILL_HEADER in source]:
        source = sources[index]
        if source.lstrip().startswith(PAPERMILL_HEADER + "\n") or source.strip() == PAPERMILL_HEADER:
            if index > 0 and not sources[index - 1].lstrip().startswith(PAPERMILL_HEADER):
                cells.append((sources[index - 1], ("parameters",)))
            cells.append((source, ("injected-parameters",)))
    return notebook_parameters(cells)




def _read(path: Path) -> tuple[SavedNotebook | None, str | None]:
    try:
        return read_notebook(path), None
    except NotebookUnreadable as exc:
        return None, str(exc)


def _default_name(path: Path | None, count: int | None) -> str:
    where = path.stem if path is not None else "cell"
    return f"{where} [{count}]" if count is not None else where


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["RunSummary", "TrackOptions", "TrackedRun", "current_execution_count"]
