"""Live refresh: a background thread that refreshes the browser only while runs are running.

Nothing runs while nothing is running: the thread ends as soon as a refresh finds no running
run, and starts again when the browser next shows one. Closing the browser stops it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger("jupyter_mlops.widgets")

DEFAULT_INTERVAL = 2.0


class LiveRefresher:
    """Calls ``refresh`` every ``interval`` seconds, on one background thread, for as long as
    ``refresh`` returns True (meaning: some shown run is still running)."""

    def __init__(
        self,
        refresh: Callable[[], bool],
        interval: float = DEFAULT_INTERVAL,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError(
                f"the refresh interval must be a positive number of seconds, got {interval!r}"
            )
        self._refresh = refresh
        self.interval = interval
        self._on_error = on_error
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._again = False  # asked to keep going while a refresh was deciding to stop
        self._closed = False
        self.ticks = 0

    @property
    def active(self) -> bool:
        """Whether the refresh thread is alive (runs are being watched)."""
        with self._lock:
            return self._thread is not None

    def watch(self) -> None:
        """Some shown run is running: make sure refreshes happen."""
        with self._lock:
            if self._closed:
                return
            if self._thread is not None:
                self._again = True
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, name="jupyter-mlops-live", daemon=True
            )
            self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop refreshing for good (the browser was closed)."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._stop.set()
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10 * self.interval + 5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._again = False
            try:
                keep_going = bool(self._refresh())
            except Exception as exc:  # noqa: BLE001 - shown in the browser, never lost in a thread
                logger.debug("live refresh failed", exc_info=True)
                keep_going = False
                if self._on_error is not None:
                    self._on_error(exc)
            self.ticks += 1
            with self._lock:
                if self._stop.is_set() or not (keep_going or self._again):
                    self._thread = None
                    return
        with self._lock:
            self._thread = None
