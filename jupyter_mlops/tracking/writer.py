"""The process's one background writer: buffered metric points, params and staged records of
the open runs, and the heartbeat of every run this process keeps alive.

``log_metric`` only appends to in-memory arrays; the writer's thread writes them to the store
in batches every ``FLUSH_INTERVAL`` (and on ``end_run`` and at interpreter exit), so a killed
process loses at most the last half second of points, and a reader polling the store sees a
running run's new values within that time. Every ``HEARTBEAT_INTERVAL`` the same thread beats
the heartbeat of the open runs and of the runs kept alive with :func:`beating` (the runner's,
whose notebook may never call ``mlops``), which is how other machines tell a crashed run from
a running one (see the store's ``reap``). A run killed outright ends ``crashed`` at its last
beat: its recorded duration is then at most one interval short of the truth.
"""

from __future__ import annotations

import array
import contextlib
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..store.batches import NewRun, WriteBatch

if TYPE_CHECKING:
    from ..store.sqlstore import Store
    from .active import ActiveRun

#: Seconds between writes of what the open runs buffered.
FLUSH_INTERVAL = 0.5
#: Seconds between heartbeats: one small UPDATE per store (all its runs in one statement).
HEARTBEAT_INTERVAL = 2.0


class Series:
    """Points of one metric waiting to be written."""

    __slots__ = ("steps", "values", "timestamps", "next_step")

    def __init__(self, next_step: int = 0) -> None:
        self.steps = array.array("q")
        self.values = array.array("d")
        self.timestamps = array.array("d")
        self.next_step = next_step


class _Taken:
    """What one flush took from the runs, to put back in front of what is logged since if
    the write fails."""

    def __init__(self) -> None:
        self.series: list[tuple[Series, tuple[Any, Any, Any]]] = []
        self.params: list[tuple[ActiveRun, dict[str, Any]]] = []
        self.removals: list[tuple[ActiveRun, set[str]]] = []
        self.staged: list[tuple[ActiveRun, WriteBatch]] = []
        self.creates: list[tuple[ActiveRun, NewRun]] = []


class Writer:
    """The background writer of metric points and heartbeats (one per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # guards the arrays of every open run's series
        self._flush_lock = threading.Lock()  # one flush at a time keeps chunks in order
        self._runs: dict[str, ActiveRun] = {}
        self._alive: dict[str, Store] = {}  # runs beaten without an ActiveRun here (the runner's)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._last_beat = 0.0
        self._warned = False

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="jupyter-mlops-writer", daemon=True)
            self._thread.start()

    def _forked(self) -> None:
        if self._pid != os.getpid():  # forked: the parent's thread does not exist here
            self.__init__()  # type: ignore[misc]

    def register(self, run: ActiveRun) -> None:
        self._forked()
        with self.lock:
            self._runs[run.id] = run
            self._start()

    def unregister(self, run: ActiveRun) -> None:
        self._runs.pop(run.id, None)

    def keep_alive(self, store: Store, run_id: str) -> None:
        """Beat ``run_id``'s heartbeat until :meth:`let_go`, whatever this process logs to it."""
        self._forked()
        with self.lock:
            self._alive[run_id] = store
            self._start()

    def let_go(self, run_id: str) -> None:
        with self.lock:
            self._alive.pop(run_id, None)

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
            with self.lock:
                if not self._runs and not self._alive:
                    self._thread = None
                    return

    def flush(self, run: ActiveRun | None = None, beat: bool = False,
              end: tuple[str, Mapping[str, Any] | None] | None = None) -> None:
        """Write pending points and params (of one run, or all) to their stores; ``beat``
        also beats the heartbeat of every run this process keeps alive.

        ``end`` (status, error) ends ``run`` in the same transaction.
        """
        with self._flush_lock:
            runs = [run] if run is not None else list(self._runs.values())
            batches: dict[int, tuple[Store, WriteBatch]] = {}
            taken = _Taken()
            with self.lock:
                for active in runs:
                    batch = batches.setdefault(id(active.store), (active.store, WriteBatch()))[1]
                    _take(active, batch, taken)
                if beat:
                    beaten = [(r.store, r.id) for r in self._runs.values()] + [
                        (store, run_id) for run_id, store in self._alive.items() if run_id not in self._runs]
                    for store, run_id in beaten:
                        batches.setdefault(id(store), (store, WriteBatch()))[1].heartbeat.append(run_id)
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
                self._put_back(taken)
                raise
            self._warned = False

    def _put_back(self, taken: _Taken) -> None:
        """A failed write keeps its points and params, in front of any logged since."""
        with self.lock:
            for active, new_run in taken.creates:
                active._pending_create = new_run
            for pending, (steps, values, timestamps) in taken.series:
                steps.extend(pending.steps)
                values.extend(pending.values)
                timestamps.extend(pending.timestamps)
                pending.steps, pending.values, pending.timestamps = steps, values, timestamps
            for active, keys in taken.removals:
                active._param_removals |= keys
            for active, params in taken.params:
                active._pending_params = {**params, **active._pending_params}
            for active, staged in taken.staged:
                for attribute in ("tags", "snapshots", "snapshot_blobs", "records"):
                    getattr(staged, attribute).update(getattr(active._staged, attribute))
                active._staged = staged

    def flush_all_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001
            print(f"jupyter-mlops: could not write the last metric points: {exc}", file=sys.stderr)


def _take(active: ActiveRun, batch: WriteBatch, taken: _Taken) -> None:
    """Move what ``active`` buffered into ``batch`` (the writer's lock held)."""
    if active._pending_create is not None:
        batch.creates[active.id] = active._pending_create
        taken.creates.append((active, active._pending_create))
        active._pending_create = None
    if active._param_removals:
        batch.param_removals[active.id] = active._param_removals
        taken.removals.append((active, active._param_removals))
        active._param_removals = set()
    if active._pending_params:
        batch.params[active.id] = active._pending_params
        taken.params.append((active, active._pending_params))
        active._pending_params = {}
    if active._staged:
        staged, active._staged = active._staged, WriteBatch()
        batch.tags.update(staged.tags)
        batch.snapshots.update(staged.snapshots)
        batch.snapshot_blobs.update(staged.snapshot_blobs)
        batch.records.update(staged.records)
        taken.staged.append((active, staged))
    for key, pending in active._series.items():
        if pending.steps:
            arrays = (pending.steps, pending.values, pending.timestamps)
            batch.series[(active.id, key)] = arrays
            active.last_metrics[key] = pending.values[-1]
            pending.steps, pending.values, pending.timestamps = (
                array.array("q"), array.array("d"), array.array("d"))
            taken.series.append((pending, arrays))


writer = Writer()


@contextlib.contextmanager
def beating(store: Store, run_id: str) -> Iterator[None]:
    """Beat the heartbeat of ``run_id`` while the block runs."""
    writer.keep_alive(store, run_id)
    try:
        yield
    finally:
        writer.let_go(run_id)


__all__ = ["FLUSH_INTERVAL", "HEARTBEAT_INTERVAL", "Series", "Writer", "beating", "writer"]
