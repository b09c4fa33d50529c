"""A real JupyterLab for the browser tests: started on 127.0.0.1 with a token and a
temporary root directory, isolated from the user's Jupyter config, data and settings."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.tracking import track_run  # noqa: F401 - re-exported for the browser tests

CHROMIUM = (
    os.environ.get("JUPYTER_MLOPS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SIDEBAR_TAB = 'li[data-id="jupyter-mlops-runs"]'
SIDEBAR = "#jupyter-mlops-runs"
START_TIMEOUT = 90.0


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install chromium; `make test` does it through .ci/system-deps)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing: pip install -e '.[test]'"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab server."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    runs: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def api(self, route: str, method: str = "GET", payload: Any = None) -> Any:
        """A REST call with the token (to check what the browser did)."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}mlops/api/{route}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return {"status": exc.code, **json.loads(exc.read() or b"{}")}

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_lab(root: Path, home: Path, *, notebook: bool = False) -> Lab:
    """Start ``jupyter lab`` (``notebook``: Jupyter Notebook 7) serving ``root``; its config,
    data and settings live in ``home``."""
    settings = home / "settings"
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    # no news or update pop-ups over the page
    notification.write_text(json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    for name in ("config", "data", "runtime", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    token = os.urandom(16).hex()
    port = free_port()
    log = home / "jupyterlab.log"
    app = "JupyterNotebookApp" if notebook else "LabApp"
    command = [
        sys.executable, "-m", "notebook" if notebook else "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--{app}.expose_app_in_browser=True",
        f"--{app}.user_settings_dir={settings}",
        f"--{app}.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    if not notebook:
        command.append("--LabApp.extension_manager=readonly")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(root=root, port=port, token=token, process=process, log=log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{lab.log_tail()}")
        try:
            with urllib.request.urlopen(f"{lab.url}api/status?token={token}", timeout=2):
                return lab
        except OSError:
            time.sleep(0.2)
    lab.stop()
    raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{lab.log_tail()}")


def open_lab_page(browser: Any, lab: Lab, ready_command: str = "jupyter-mlops:open", wait_ms: int = 30_000,
                  **context: Any) -> Any:
    """A 1440x900 page of ``lab`` in a browser context of its own (``context``: more options for
    it, such as ``accept_downloads``), once JupyterLab has restored its layout and the
    extension's ``ready_command`` exists."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}, **context).new_page()
    page.set_default_timeout(wait_ms)
    page.goto(f"{lab.url}lab?token={lab.token}")
    wait_restored(page, ready_command)
    return page


def wait_restored(page: Any, ready_command: str = "jupyter-mlops:open") -> None:
    """Wait until JupyterLab, (re)loaded, has restored its layout (which may open or close
    sidebars and tabs) and the extension's ``ready_command`` exists."""
    page.wait_for_selector("#jp-main-dock-panel")
    page.wait_for_function(
        "(name) => window.jupyterapp && window.jupyterapp.commands.hasCommand(name)", arg=ready_command
    )
    page.evaluate("async () => { await window.jupyterapp.restored; }")


@contextlib.contextmanager
def serving(root: Path, home: Path, runs: dict[str, str], *, notebook: bool = False) -> Iterator[Lab]:
    """A module's JupyterLab over ``root`` (see :func:`start_lab`), told the ids of the runs the
    module made (``lab.runs``), stopped when the module is done."""
    lab = start_lab(root, home, notebook=notebook)
    lab.runs = runs
    try:
        yield lab
    finally:
        lab.stop()


def run_command(page: Any, name: str, args: dict[str, Any] | None = None) -> None:
    """Execute a JupyterLab command in the page and wait for it to finish."""
    page.evaluate(
        "async ([name, args]) => { await window.jupyterapp.commands.execute(name, args); }",
        [name, args or {}],
    )


def wait_until_resolved(page: Any, expression: str, arg: Any = None, *, timeout_ms: int = 30_000,
                        every_ms: int = 250) -> None:
    """Wait until the async page function ``expression`` resolves to a truthy value, asking
    again every ``every_ms``. Playwright's ``wait_for_function`` cannot do this: the promise an
    async function returns is itself truthy, so it returns at once, before the fetch inside
    has answered."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_ms / 1000:g} s: {expression.strip()[:200]}")
        page.wait_for_timeout(every_ms)


def write_notebook(path: Path, *cells: str | tuple[str, list[str]]) -> bytes:
    """A notebook of code cells (a cell may be ``(source, tags)``), written to ``path``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in cells:
        source, tags = (cell, []) if isinstance(cell, str) else cell
        code = nbformat.v4.new_code_cell(source)
        if tags:
            code.metadata["tags"] = tags
        nb.cells.append(code)
    data = nbformat.writes(nb).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data
