"""Helpers of the runner tests: small notebooks, kernel processes, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def write_notebook(
    path: Path,
    parameters: str | None,
    *cells: str,
    kernel: str | None = "python3",
    markdown: str | None = None,
) -> Path:
    """A small notebook: an optional markdown cell (a title, as real notebooks open with), an
    optional cell tagged ``parameters``, then code cells."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    if kernel:
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    if markdown is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in cells)
    nbformat.write(nb, os.fspath(path))
    return path


def start_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``jupyter-mlops ARGS`` in a process group of its own (signals reach it alone)."""
    return subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlops", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )


def signal_cli(process: subprocess.Popen[bytes], signum: int, *, group: bool = False) -> tuple[str, str]:
    """Send ``signum`` to the command (``group``: to its whole process group, as a terminal's
    Ctrl-C does), wait for it to end and return its output; kill what is left on failure."""
    import signal

    try:
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return out.decode(), err.decode()


#: A cell that tells the store it is about to sleep, then sleeps (``seconds`` is a parameter).
SLEEPING_CELL = (
    "import time, jupyter_mlops as mlops\nmlops.output('sleeping', True)\ntime.sleep(seconds)"
)


def sleeping_runs(store, count: int) -> Callable[[], bool]:
    """A condition: ``count`` runs are in their sleeping cell."""

    def check() -> bool:
        running = store.search_runs("source = 'notebook' and status = 'running'")
        return sum(1 for run in running if run.outputs.get("sleeping")) == count

    return check


def kernels_of(store_location: str) -> list[int]:
    """Pids of live kernel processes whose environment points at this store."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if "ipykernel_launcher" not in " ".join(process.info["cmdline"] or []):
                continue
            if (
                process.environ().get("JUPYTER_MLOPS_STORE") == store_location
                and process.status() != "zombie"
            ):
                found.append(process.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
