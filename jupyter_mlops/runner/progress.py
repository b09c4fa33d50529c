"""A progress bar on stderr while executions run (one line per event when stderr is no terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..render.text import format_duration

BAR_WIDTH = 24


class Progress:
    """Counts of done / running / failed executions, redrawn in place on a terminal."""

    def __init__(
        self, total: int, label: str, stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.failed = 0
        self.running = 0
        self.started = time.monotonic()
        self._drawn = False

    def update(self, *, running: int | None = None) -> None:
        if running is not None:
            self.running = running
        if self.tty:
            self._draw()

    def finished(self, what: str, ok: bool, detail: str = "", count: bool = True) -> None:
        """One execution ended (``what``: its label; ``detail``: status and a short reason)."""
        if count:
            self.done += 1
            if not ok:
                self.failed += 1
        if not self.enabled:
            return
        if self.tty:
            self._clear()
            if not ok:
                self.stream.write(f"  {what}: {detail}\n")
            self._draw()
        else:
            self.stream.write(f"[{self.done}/{self.total}] {what}: {detail}\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        if not self.enabled:
            return
        if self.tty:
            self._clear()
        self.stream.write(text + "\n")
        if self.tty:
            self._draw()
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._drawn:
            self._clear()
            self.stream.flush()

    def _draw(self) -> None:
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        parts = [f"{self.label} [{bar}] {self.done}/{self.total}"]
        if self.running:
            parts.append(f"{self.running} running")
        if self.failed:
            parts.append(f"{self.failed} failed")
        parts.append(format_duration(time.monotonic() - self.started))
        self.stream.write("\r" + "  ".join(parts) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
