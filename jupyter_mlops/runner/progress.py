"""The progress of a sweep or pipeline, through tqdm: a notebook widget when ``sweep()`` runs in
a notebook, a bar with rate and ETA on a terminal, and one plain line per finished execution when
stderr is neither (logs, CI, captured output). Failures are always written out in full."""

from __future__ import annotations

import sys
from typing import Any, TextIO


def _in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where tqdm draws a widget)."""
    ipython = sys.modules.get("IPython")  # never imported here: a kernel has it already
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _tqdm(notebook: bool) -> Any:
    """tqdm's widget bar in a notebook (as ``tqdm.auto`` picks it; its text bar where ipywidgets
    is missing), its text bar elsewhere."""
    if notebook:
        try:
            from tqdm.notebook import tqdm as widget_bar

            return widget_bar
        except ImportError:
            pass
    from tqdm import tqdm

    return tqdm


class Progress:
    """Counts of done / running / failed executions. ``tty`` is True when a bar is drawn live
    (terminal or notebook): the caller then updates it while executions run."""

    def __init__(
        self, total: int, label: str, stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.done = 0
        self.failed = 0
        self.running = 0
        notebook = enabled and stream is None and _in_notebook()
        terminal = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.tty = notebook or terminal
        self._bar: Any = None
        if self.tty:
            self._bar = _tqdm(notebook)(total=total, desc=label, unit="run", file=None if notebook else self.stream,
                             leave=notebook, dynamic_ncols=True)

    def _postfix(self) -> None:
        parts = [f"{self.running} running"] if self.running else []
        if self.failed:
            parts.append(f"{self.failed} failed")
        self._bar.set_postfix_str(", ".join(parts), refresh=False)

    def update(self, *, running: int | None = None) -> None:
        if running is not None:
            self.running = running
        if self._bar is not None:
            self._postfix()
            self._bar.refresh()

    def finished(self, what: str, ok: bool, detail: str = "", count: bool = True) -> None:
        """One execution ended (``what``: its label; ``detail``: status and a short reason)."""
        if count:
            self.done += 1
            if not ok:
                self.failed += 1
        if not self.enabled:
            return
        if self._bar is not None:
            if not ok:
                self._bar.write(f"  {what}: {detail}", file=self.stream)
            self._postfix()
            self._bar.update(1 if count else 0)
            return
        self.stream.write(f"[{self.done}/{self.total}] {what}: {detail}\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
            return
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
