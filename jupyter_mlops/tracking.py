"""The active run, the buffered metric writer and the heartbeat.

``log_metric`` only appends to in-memory arrays; one background thread per process
writes them to the store in batches at least once a second (and on ``end_run`` and at
interpreter exit), so a killed process loses at most the last second of points. The
same thread beats the heartbeat of open runs, which is how other machines tell a
crashed run from a running one.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import json
import numbers
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import config
from .errors import InvalidInput, NoActiveRun, ParamConflict
from .store import open_store
from .store.entities import ENDED_STATUSES, Run
from .store.ids import new_run_id
from .store.snapshots import snapshot_blob
from .store.sqlstore import NewRun, WriteBatch
from .store.validation import MAX_KEY_LENGTH, check_tag, check_text, validate_name

if TYPE_CHECKING:
    from .store.entities import Artifact, ExecutedCell
    from .store.history import MetricHistory
    from .store.sqlstore import Store

FLUSH_INTERVAL = 0.5
HEARTBEAT_INTERVAL = 10.0


class _Series:
    """Points of one metric waiting to be written."""

    __slots__ = ("steps", "values", "timestamps", "next_step")

    def __init__(self, next_step: int = 0) -> None:
        self.steps = array.array("q")
        self.values = array.array("d")
        self.timestamps = array.array("d")
        self.next_step = next_step


class _Writer:
    """The process's background writer of metric points and heartbeats."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # guards the arrays of every open run's series
        self._flush_lock = threading.Lock()  # one flush at a time keeps chunks in order
        self._runs: dict[str, ActiveRun] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._last_beat = 0.0
        self._warned = False

    def register(self, run: ActiveRun) -> None:
        if self._pid != os.getpid():  # forked: the parent's thread does not exist here
            self.__init__()  # type: ignore[misc]
        self._runs[run.id] = run
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="jupyter-mlops-writer", daemon=True)
            self._thread.start()

    def unregister(self, run: ActiveRun) -> None:
        self._runs.pop(run.id, None)

    def pending(self, run_id: str | None) -> ActiveRun | None:
        """This process's open run ``run_id`` if its row is not written yet."""
        run = self._runs.get(run_id) if run_id is not None else None
        return run if run is not None and run._pending_create is not None else None

    def _loop(self) -> None:
        while True:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            try:
                self.flush(beat=time.time() - self._last_beat >= HEARTBEAT_INTERVAL)
            except Exception as exc:  # noqa: BLE001 - the thread must survive to retry
                if not self._warned:
                    self._warned = True
                    warnings.warn(f"jupyter-mlops could not write metrics yet, will retry: {exc}",
                                  RuntimeWarning, stacklevel=1)
            if not self._runs:
                with self.lock:
                    if not self._runs:
                        self._thread = None
                        return

    def flush(self, run: ActiveRun | None = None, beat: bool = False,
              end: tuple[str, Mapping[str, Any] | None] | None = None) -> None:
        """Write pending points and params (of one run, or all) to their stores.

        ``end`` (status, error) ends ``run`` in the same transaction.
        """
        with self._flush_lock:
            runs = [run] if run is not None else list(self._runs.values())
            batches: dict[int, tuple[Store, WriteBatch]] = {}
            taken: list[tuple[ActiveRun, str, _Series, tuple[Any, Any, Any]]] = []
            taken_params: list[tuple[ActiveRun, dict[str, Any]]] = []
            taken_removals: list[tuple[ActiveRun, set[str]]] = []
            taken_staged: list[tuple[ActiveRun, WriteBatch]] = []
            taken_creates: list[tuple[ActiveRun, NewRun]] = []
            with self.lock:
                for active in runs:
                    store, batch = batches.setdefault(id(active.store), (active.store, WriteBatch()))
                    if active._pending_create is not None:
                        batch.creates[active.id] = active._pending_create
                        taken_creates.append((active, active._pending_create))
                        active._pending_create = None
                    if beat:
                        batch.heartbeat.append(active.id)
                    if active._param_removals:
                        batch.param_removals[active.id] = active._param_removals
                        taken_removals.append((active, active._param_removals))
                        active._param_removals = set()
                    if active._pending_params:
                        batch.params[active.id] = active._pending_params
                        taken_params.append((active, active._pending_params))
                        active._pending_params = {}
                    if active._staged:
                        staged, active._staged = active._staged, WriteBatch()
                        batch.tags.update(staged.tags)
                        batch.snapshots.update(staged.snapshots)
                        batch.snapshot_blobs.update(staged.snapshot_blobs)
                        batch.records.update(staged.records)
                        taken_staged.append((active, staged))
                    for key, pending in active._series.items():
                        if pending.steps:
                            arrays = (pending.steps, pending.values, pending.timestamps)
                            batch.series[(active.id, key)] = arrays
                            active.last_metrics[key] = pending.values[-1]
                            pending.steps, pending.values, pending.timestamps = (
                                array.array("q"), array.array("d"), array.array("d"))
                            taken.append((active, key, pending, arrays))
            if end is not None and run is not None:
                status, error = end
                run.ended_at = time.time()
                batches[id(run.store)][1].ends[run.id] = (status, run.ended_at, error)
            now = time.time()
            try:
                for store, batch in batches.values():
                    if batch:
                        for message in store.write_batch(batch):
                            warnings.warn(message, RuntimeWarning, stacklevel=2)
                if beat:
                    self._last_beat = now
            except BaseException:
                self._put_back(taken, taken_params, taken_staged, taken_creates, taken_removals)
                raise
            self._warned = False

    def _put_back(self, taken: list[tuple[ActiveRun, str, _Series, tuple[Any, Any, Any]]],
                  taken_params: list[tuple[ActiveRun, dict[str, Any]]],
                  taken_staged: list[tuple[ActiveRun, WriteBatch]],
                  taken_creates: list[tuple[ActiveRun, NewRun]],
                  taken_removals: list[tuple[ActiveRun, set[str]]]) -> None:
        """A failed write keeps its points and params, in front of any logged since."""
        with self.lock:
            for active, keys in taken_removals:
                active._param_removals |= keys
            for active, new_run in taken_creates:
                active._pending_create = new_run
            for _active, _key, pending, (steps, values, timestamps) in taken:
                steps.extend(pending.steps)
                values.extend(pending.values)
                timestamps.extend(pending.timestamps)
                pending.steps, pending.values, pending.timestamps = steps, values, timestamps
            for active, params in taken_params:
                active._pending_params = {**params, **active._pending_params}
            for active, staged in taken_staged:
                for attribute in ("tags", "snapshots", "snapshot_blobs", "records"):
                    getattr(staged, attribute).update(getattr(active._staged, attribute))
                active._staged = staged

    def flush_all_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001
            print(f"jupyter-mlops: could not write the last metric points: {exc}", file=sys.stderr)


_writer = _Writer()
_stack: list[ActiveRun] = []
_stack_lock = threading.Lock()
_uncaught: list[BaseException] = []


def _metric_value(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # numpy scalars and 0-d arrays of numbers
            if hasattr(value, "dtype") and value.dtype.kind in "iuf" and getattr(value, "ndim", 0) == 0:
                return float(value)
        except Exception:  # noqa: BLE001
            pass
        raise TypeError(
            f"metric {key!r} must be a number, got {type(value).__name__} {value!r}; "
            "log text as a tag (set_tag) and structured values as a param or an output"
        )
    try:
        return float(value)
    except OverflowError:
        raise InvalidInput(
            f"metric {key!r} value {_short(value)} is too large: metrics are 64-bit floats, "
            f"at most about ±{sys.float_info.max:.4g} in size; log it scaled (e.g. its logarithm)"
        ) from None


def _short(value: Any) -> str:
    text = str(value) if not isinstance(value, int) or value.bit_length() < 4000 else f"an int of {value.bit_length()} bits"
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} digits)"


class ActiveRun:
    """A run this process is recording. Use as a context manager, or end it with ``end()``."""

    def __init__(self, store: Store, run_id: str, name: str, experiment: str, parent_id: str | None,
                 source: str, params: dict[str, Any], tags: dict[str, str]) -> None:
        self.store = store
        self.id = run_id
        self.name = name
        self.experiment = experiment
        self.parent_id = parent_id
        self.source = source
        self.status = "running"
        self.params: dict[str, Any] = params
        self.tags: dict[str, str] = tags
        self.outputs: dict[str, Any] = {}
        self.started_at = time.time()
        self.ended_at: float | None = None
        self.last_metrics: dict[str, float] = {}  # last value written of each metric this process logged
        self._series: dict[str, _Series] = {}
        self._pending_params: dict[str, Any] = {}
        self._proposed: set[str] = set()  # params capture found, which the code may still log otherwise
        self._param_removals: set[str] = set()  # stored params to delete before the next batch's
        self._staged = WriteBatch()  # tags, snapshot, execution record: written with the next batch
        self._owned = True  # False when attached to a run another process started
        self._pending_create: NewRun | None = None  # a deferred start: the row goes with the next batch

    def __repr__(self) -> str:
        return f"<ActiveRun {self.id} {self.name!r} ({self.status})>"

    # --- context manager -------------------------------------------------------------

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if self.status != "running":
            return
        if exc is None:
            end_run("finished", run=self)
        elif isinstance(exc, KeyboardInterrupt):
            end_run("interrupted", run=self)
        else:
            end_run("failed", run=self, error=error_info(exc))

    # --- logging ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.status != "running":
            raise NoActiveRun(
                f"run {self.id} has ended ({self.status}), so nothing more is logged to it; "
                "start a new run to log more"
            )

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record params; they are written with the next batch (within a second).

        A param that capture proposed (see :meth:`propose_param`) takes the value logged here."""
        self._check_open()
        checked = {}
        replaced = set()
        for key, value in params.items():
            text = self._checked_param(key, value)
            if key in self._proposed:
                if _param_json(key, self.params[key]) != text:
                    checked[key] = value
                    replaced.add(key)
                continue
            if key in self.params:
                old = _param_json(key, self.params[key])
                if old != text:
                    raise ParamConflict(
                        f"param {key!r} of run {self.id} is already {old} and cannot change to {text}; "
                        "params are fixed once logged: log a metric or a tag for values that change, "
                        "or start a new run"
                    )
                continue
            checked[key] = value
        with _writer.lock:
            self._param_removals |= replaced  # deleted before the new value goes in, in one transaction
            self._pending_params.update(checked)
        self._proposed -= params.keys()  # the code's own values from now on
        self.params.update(checked)

    def propose_param(self, key: str, value: Any) -> None:
        """Record a param that capture found (a literal assignment, the notebook's parameters
        cell) with the next batch, so a running run shows it. Unlike a logged param it changes
        when proposed again or logged by the code; :meth:`withdraw_params` removes it.

        Raises ParamConflict when the code already logged ``key`` with another value."""
        self._check_open()
        text = self._checked_param(key, value)
        if key in self.params and key not in self._proposed:
            old = _param_json(key, self.params[key])
            if old != text:
                raise ParamConflict(f"param {key!r} of run {self.id} is already logged as {old}")
            return
        if key in self.params and _param_json(key, self.params[key]) == text:
            return
        with _writer.lock:
            if key in self.params:
                self._param_removals.add(key)
            self._pending_params[key] = value
            self._proposed.add(key)
        self.params[key] = value

    def withdraw_params(self, keys: Iterable[str]) -> None:
        """Remove proposed params (those the code logged itself stay)."""
        with _writer.lock:
            for key in [k for k in keys if k in self._proposed]:
                self._proposed.discard(key)
                self._pending_params.pop(key, None)
                self._param_removals.add(key)
                self.params.pop(key, None)

    def _checked_param(self, key: str, value: Any) -> str:
        """The JSON text of a param value, after checking its name and value."""
        validate_name("param name", key, max_length=MAX_KEY_LENGTH)
        text = _param_json(key, value)
        if type(value) is str:
            check_text(f"param {key!r}", value)
        return text

    def log_metric(self, key: str, value: Any, step: int | None = None, timestamp: float | None = None) -> None:
        series = self._series.get(key)
        if series is None:
            series = self._open_series(key)
        elif self.status != "running":  # a known key skips _open_series' check: an ended run
            self._check_open()          # must refuse it all the same
        if type(value) is not float:
            value = _metric_value(key, value)
        with _writer.lock:
            if step is None:
                step = series.next_step
            elif type(step) is not int:
                step = _step(key, step)
            try:
                series.steps.append(step)  # an int64 array: it refuses what the store cannot hold
            except OverflowError:
                raise InvalidInput(
                    f"step {step} of metric {key!r} is out of range: steps are whole numbers from "
                    f"{-2**63} to {2**63 - 1} (int64)"
                ) from None
            series.values.append(value)
            series.timestamps.append(timestamp or time.time())
            series.next_step = step + 1

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        now = time.time()
        for key, value in metrics.items():
            self.log_metric(key, value, step, now)

    def _open_series(self, key: str) -> _Series:
        self._check_open()
        validate_name("metric name", key, max_length=MAX_KEY_LENGTH)
        return self._series.setdefault(key, _Series())

    @property
    def metrics(self) -> dict[str, float]:
        """Last values logged, including those not yet written."""
        self.flush()
        return self.store.get_run(self.id).metrics

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self._check_open()
        self._ensure_stored()
        self.store.set_tags(self.id, tags)
        self.tags.update({k: str(v) for k, v in tags.items()})

    def stage(self, *, tags: Mapping[str, Any] | None = None, snapshot: bytes | None = None,
              snapshot_digest: str | None = None, execution_record: list[ExecutedCell] | None = None) -> None:
        """Record tags, the notebook snapshot and the execution record with the run's next
        write (its end, at the latest): one transaction instead of one each."""
        self._check_open()
        for key, value in (tags or {}).items():  # all checks before anything is staged
            check_tag(key, value)
        blob = None  # (size, compressed bytes) of a snapshot given as bytes
        if snapshot is not None and snapshot_digest is None:
            snapshot_digest, size, packed = snapshot_blob(snapshot)
            blob = (size, packed)
        with _writer.lock:
            if blob is not None and snapshot_digest is not None:
                self._staged.snapshot_blobs[snapshot_digest] = blob
            if tags:
                self._staged.tags.setdefault(self.id, {}).update({k: str(v) for k, v in tags.items()})
                self.tags.update({k: str(v) for k, v in tags.items()})
            if snapshot_digest is not None:
                self._staged.snapshots[self.id] = snapshot_digest
            if execution_record is not None:
                self._staged.records[self.id] = list(execution_record)

    def set_note(self, note: str) -> None:
        self._check_open()
        self._ensure_stored()
        self.store.update_run(self.id, note=note)

    def log_artifact(self, path: str | os.PathLike[str], name: str | None = None) -> Artifact:
        self._check_open()
        self._ensure_stored()
        return self.store.log_artifact(self.id, path, name)

    def output(self, name: str, value: Any) -> None:
        self._check_open()
        self._ensure_stored()
        self.store.set_outputs(self.id, {name: value})
        self.outputs[name] = value

    def flush(self) -> None:
        """Write everything buffered for this run now (its row too, if its start was deferred)."""
        _writer.flush(self)

    def _ensure_stored(self) -> None:
        """Before a direct write that needs the run's row: write a deferred start now."""
        if self._pending_create is not None:
            self.flush()

    # --- reading, as on a stored Run ---------------------------------------------------

    def info(self) -> Run:
        self.flush()
        return self.store.get_run(self.id)

    def metric_history(self, key: str) -> MetricHistory:
        self.flush()
        return self.store.metric_history(self.id, key)

    def artifacts(self) -> list[Artifact]:
        self._ensure_stored()
        return self.store.artifacts(self.id)

    def execution_record(self) -> list[ExecutedCell]:
        self.flush()
        return self.store.execution_record(self.id)

    def snapshot(self) -> Any:
        self.flush()
        return self.store.snapshot(self.id)

    def end(self, status: str = "finished") -> None:
        end_run(status, run=self)


def _param_json(key: str, value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"param {key!r} must be a JSON value (number, text, bool, None, list or dict), "
            f"got {type(value).__name__}: log repr(value) or str(value) if that is what you mean"
        ) from exc


def _step(key: str, step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step of metric {key!r} must be a whole number, got {type(step).__name__} {step!r}")
    return int(step)


def error_info(exc: BaseException) -> dict[str, Any]:
    """The stored error record of ``exc`` (see :class:`~jupyter_mlops.errors.RunError`)."""
    from .errors import RunError

    return RunError.from_exception(exc).to_dict()


# --- the module-level API ------------------------------------------------------------


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
    from .store.sqlstore import Store as _Store

    the_store = store if isinstance(store, _Store) else open_store(store)
    parent_id = parent if isinstance(parent, str) or parent is None else parent.id
    parent_experiment = None if parent is None or isinstance(parent, str) else parent.experiment
    if parent_id is None and _stack and _stack[-1].store is the_store:
        parent_id, parent_experiment = _stack[-1].id, _stack[-1].experiment
    pending_parent = _writer.pending(parent_id)
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
        from .environment import capture_environment

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
    from .store.sqlstore import Store as _Store

    the_store = store if isinstance(store, _Store) else open_store(store)
    stored = the_store.get_run(run_id)
    run = ActiveRun(the_store, stored.id, stored.name, stored.experiment, stored.parent_id, stored.source,
                    dict(stored.params), dict(stored.tags))
    run._owned = False
    for key, point in _last_steps(the_store, stored).items():
        run._series[key] = _Series(point + 1)
    _push(run)
    return run


def _last_steps(store: Store, run: Run) -> dict[str, int]:
    from sqlalchemy import select

    from .store import schema as s

    with store._read() as conn:
        rows = conn.execute(
            select(s.latest_metrics.c.key, s.latest_metrics.c.step).where(s.latest_metrics.c.run_id == run.id)
        ).all()
    return {key: step for key, step in rows}


def _push(run: ActiveRun) -> None:
    _install_exit_hooks()
    with _stack_lock:
        _stack.append(run)
    _writer.register(run)


def end_run(status: str = "finished", *, run: ActiveRun | None = None, error: Mapping[str, Any] | None = None) -> None:
    """End the active run (or ``run``): write its pending points, then record its status."""
    if status not in ENDED_STATUSES:
        raise InvalidInput(f"a run ends as one of {', '.join(ENDED_STATUSES)}, not {status!r}")
    target = run or active_run()
    if target is None:
        return
    try:
        owned_end = target._owned or error is not None
        _writer.flush(target, end=(status, error) if owned_end else None)
    finally:
        target.status = status if owned_end else "detached"
        _writer.unregister(target)
        with _stack_lock:
            if target in _stack:
                _stack.remove(target)


def active_run() -> ActiveRun | None:
    return _stack[-1] if _stack else None


def _require_active() -> ActiveRun:
    if _stack:
        return _stack[-1]
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
    (_stack[-1] if _stack else _require_active()).log_metric(key, value, step)


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


def _at_exit() -> None:
    _writer.flush_all_at_exit()
    status = "failed" if _uncaught else "finished"
    error = error_info(_uncaught[0]) if _uncaught else None
    for run in reversed(list(_stack)):
        try:
            end_run(status, run=run, error=error if run._owned else None)
        except Exception as exc:  # noqa: BLE001
            print(f"jupyter-mlops: could not end run {run.id}: {exc}", file=sys.stderr)


def _excepthook(exc_type: Any, exc: BaseException, tb: Any) -> None:
    _uncaught.append(exc)
    _previous_excepthook(exc_type, exc, tb)


_previous_excepthook = sys.excepthook
_hooks_installed = False


def _install_exit_hooks() -> None:
    """On first use, not at import: end open runs at exit, failed if an exception escaped."""
    global _previous_excepthook, _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    atexit.register(_at_exit)

__all__ = ["ActiveRun", "active_run", "attach_run", "end_run", "error_info", "get_store", "log_artifact",
           "log_metric", "log_metrics", "log_param", "log_params", "output", "set_tag", "set_tags",
           "start_run"]
