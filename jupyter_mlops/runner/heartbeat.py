"""Heartbeats of the runs a runner process is executing.

A run whose notebook never calls ``mlops`` still shows as alive to other machines (which
tell a crashed run from a running one by its heartbeat, see the store's ``reap``), and a run
whose process is killed outright (SIGKILL, out of memory) ends ``crashed`` at its last beat:
its recorded duration is then at most one interval short of the truth.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store.sqlstore import Store

#: Seconds between beats: one small UPDATE per runner process (all its runs in one statement).
INTERVAL = 2.0


class _Beater:
    def __init__(self) -> None:
        self._runs: dict[str, Store] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, store: Store, run_id: str) -> None:
        with self._lock:
            self._runs[run_id] = store
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="jupyter-mlops-heartbeat", daemon=True
                )
                self._thread.start()

    def remove(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def _loop(self) -> None:
        while True:
            self._wake.wait(INTERVAL)
            with self._lock:
                if not self._runs:
                    self._thread = None
                    return
                by_store: dict[int, tuple[Store, list[str]]] = {}
                for run_id, store in self._runs.items():
                    by_store.setdefault(id(store), (store, []))[1].append(run_id)
            for store, run_ids in by_store.values():
                with contextlib.suppress(Exception):  # a missed beat is retried next time
                    store.heartbeat(run_ids)


_beater = _Beater()


@contextlib.contextmanager
def beating(store: Store, run_id: str) -> Iterator[None]:
    """Beat the heartbeat of ``run_id`` while the block runs."""
    _beater.add(store, run_id)
    try:
        yield
    finally:
        _beater.remove(run_id)
