"""A run this process is recording (:class:`ActiveRun`), and the stack of active runs: the
last one started is where the module-level ``log_*`` calls go."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput, NoActiveRun, ParamConflict
from ..store.batches import NewRun, WriteBatch
from ..store.entities import ENDED_STATUSES
from ..store.snapshots import snapshot_blob
from ..store.validation import MAX_KEY_LENGTH, check_tag, check_text, validate_name
from .values import metric_value, param_json, step_number
from .writer import Series, writer

if TYPE_CHECKING:
    from ..store.entities import Artifact, ExecutedCell, Run
    from ..store.history import MetricHistory
    from ..store.sqlstore import Store

#: The runs started and not yet ended, the active one last.
stack: list[ActiveRun] = []
stack_lock = threading.Lock()


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
        self._series: dict[str, Series] = {}
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
            finish_run(self, "finished")
        elif isinstance(exc, KeyboardInterrupt):
            finish_run(self, "interrupted")
        else:
            finish_run(self, "failed", error_info(exc))

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
                if param_json(key, self.params[key]) != text:
                    checked[key] = value
                    replaced.add(key)
                continue
            if key in self.params:
                old = param_json(key, self.params[key])
                if old != text:
                    raise ParamConflict(
                        f"param {key!r} of run {self.id} is already {old} and cannot change to {text}; "
                        "params are fixed once logged: log a metric or a tag for values that change, "
                        "or start a new run"
                    )
                continue
            checked[key] = value
        with writer.lock:
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
            old = param_json(key, self.params[key])
            if old != text:
                raise ParamConflict(f"param {key!r} of run {self.id} is already logged as {old}")
            return
        if key in self.params and param_json(key, self.params[key]) == text:
            return
        with writer.lock:
            if key in self.params:
                self._param_removals.add(key)
            self._pending_params[key] = value
            self._proposed.add(key)
        self.params[key] = value

    def withdraw_params(self, keys: Iterable[str]) -> None:
        """Remove proposed params (those the code logged itself stay)."""
        with writer.lock:
            for key in [k for k in keys if k in self._proposed]:
                self._proposed.discard(key)
                self._pending_params.pop(key, None)
                self._param_removals.add(key)
                self.params.pop(key, None)

    def _checked_param(self, key: str, value: Any) -> str:
        """The JSON text of a param value, after checking its name and value."""
        validate_name("param name", key, max_length=MAX_KEY_LENGTH)
        text = param_json(key, value)
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
            value = metric_value(key, value)
        with writer.lock:
            if step is None:
                step = series.next_step
            elif type(step) is not int:
                step = step_number(key, step)
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

    def _open_series(self, key: str) -> Series:
        self._check_open()
        validate_name("metric name", key, max_length=MAX_KEY_LENGTH)
        return self._series.setdefault(key, Series())

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
        with writer.lock:
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
        writer.flush(self)

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
        finish_run(self, check_status(status))


def error_info(exc: BaseException) -> dict[str, Any]:
    """The stored error record of ``exc`` (see :class:`~jupyter_mlops.errors.RunError`)."""
    from ..errors import RunError

    return RunError.from_exception(exc).to_dict()


def check_status(status: str) -> str:
    if status not in ENDED_STATUSES:
        raise InvalidInput(f"a run ends as one of {', '.join(ENDED_STATUSES)}, not {status!r}")
    return status


def finish_run(run: ActiveRun, status: str, error: Mapping[str, Any] | None = None) -> None:
    """Write ``run``'s pending points, then record its status (a run another process owns is
    only flushed and detached, unless it failed here)."""
    try:
        owned_end = run._owned or error is not None
        writer.flush(run, end=(status, error) if owned_end else None)
    finally:
        run.status = status if owned_end else "detached"
        writer.unregister(run)
        with stack_lock:
            if run in stack:
                stack.remove(run)


def push(run: ActiveRun) -> None:
    """Make ``run`` the active run, written by the writer."""
    with stack_lock:
        stack.append(run)
    writer.register(run)


def active_run() -> ActiveRun | None:
    return stack[-1] if stack else None


__all__ = ["ActiveRun", "active_run", "check_status", "error_info", "finish_run", "push", "stack"]
