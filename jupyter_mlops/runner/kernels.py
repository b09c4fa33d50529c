"""Kernels for notebook executions: looked up, launched ahead of time, and ended promptly.

Each kernel serves exactly one execution (its run id is in its environment from the start),
so no state leaks from one run into the next. A process keeps a small pool: while one
notebook executes, the kernels of the executions it will run next are already booting. Once a
notebook is done and its tracking data written (see :mod:`.papermill_engine`), its kernel is killed at
once: a polite shutdown costs an ipykernel about 0.15 s of CPU and sometimes seconds of waiting.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KernelNotFound

#: A kernel launched ahead that nobody took within this many seconds is ended (a safety net:
#: the pool also ends the kernels a slot no longer needs each time it starts a job).
PRESTART_EXPIRY = 1800.0
_TCP_WARNING = "Kernel is running over TCP without encryption"
_stopping: set[threading.Thread] = set()
_stopping_lock = threading.Lock()


def _run_coroutine(coroutine: Any) -> Any:
    """Run a coroutine to completion from synchronous code, in this thread or a helper one."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0] if result else None


def wait_for_stopped_kernels(timeout: float = 10.0) -> None:
    """Wait until the kernels ended in the background have exited."""
    deadline = time.monotonic() + timeout
    while True:
        with _stopping_lock:
            threads = list(_stopping)
        if not threads:
            return
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            return


# --- kernel specs (read from disk: no jupyter_client import for a check) ----------------


def kernel_dirs() -> dict[str, Path]:
    """Installed kernel specs, name → directory, the first found winning as in jupyter_client."""
    from jupyter_core.paths import jupyter_path

    found: dict[str, Path] = {}
    for root in jupyter_path("kernels"):
        try:
            entries = sorted(os.scandir(root), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name.lower()
            if (
                name not in found
                and entry.is_dir()
                and os.path.isfile(os.path.join(entry.path, "kernel.json"))
            ):
                found[name] = Path(entry.path)
    return found


#: The kernel ipykernel provides without an installed spec (jupyter_client's NATIVE_KERNEL_NAME).
NATIVE_KERNEL = "python3"


def resolve_kernel_name(name: str) -> str:
    """The kernel ``name`` starts, read as jupyter_client's KernelManager reads it: ``python``
    (the name papermill's own test notebooks use) is the native ``python3``."""
    return NATIVE_KERNEL if name == "python" else name


def _native_kernel_available() -> bool:
    return importlib.util.find_spec("ipykernel") is not None


def check_kernel(name: str) -> None:
    """Raise :class:`KernelNotFound` (listing the installed kernels) unless ``name`` exists."""
    dirs = kernel_dirs()
    name = resolve_kernel_name(name)
    if name.lower() in dirs or (name == NATIVE_KERNEL and _native_kernel_available()):
        return
    names = sorted(set(dirs) | ({NATIVE_KERNEL} if _native_kernel_available() else set()))
    raise KernelNotFound(
        f"no kernel named {name!r} is installed; installed kernels: {', '.join(names) or 'none'}. "
        "Pick one with --kernel, or install one (`python -m ipykernel install --user --name NAME`)"
    )


def kernel_language(name: str) -> str | None:
    name = resolve_kernel_name(name)
    directory = kernel_dirs().get(name.lower())
    if directory is None:
        return "python" if name == NATIVE_KERNEL else None
    try:
        spec = json.loads((directory / "kernel.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    language = spec.get("language") if isinstance(spec, dict) else None
    return str(language) if language else None


# --- one kernel ------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelLaunch:
    """What a kernel is started with. ``key`` is the run id it will serve."""

    key: str
    kernel_name: str
    cwd: str
    env: dict[str, str] = field(default_factory=dict)


def _is_ipykernel(manager: Any) -> bool:
    """Whether the kernel is IPython's (python3, or any spec that launches ipykernel)."""
    try:
        argv = manager.kernel_spec.argv
    except Exception:  # noqa: BLE001 - an unreadable spec: jupyter_client reports it at launch
        return False
    return bool(getattr(manager, "ipykernel", False)) or any("ipykernel" in part for part in argv)


class PreparedKernel:
    """A kernel process launched for one execution."""

    def __init__(self, launch: KernelLaunch, slot: str | None = None) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.launch = launch
        self.slot = slot
        self.launched_at = time.monotonic()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the kernel
        self._lock = threading.Lock()
        self.ended = False
        self.client: Any = None
        self.manager = AsyncKernelManager(kernel_name=launch.kernel_name)
        env = {**os.environ, **launch.env}
        extra = []
        if _is_ipykernel(self.manager):
            # parallel kernels must not fight over IPython's history database
            extra.append("--HistoryManager.hist_file=:memory:")
            if os.name == "posix":
                # Unix sockets of their own: kernels launched at once by several processes
                # cannot be handed the same free TCP port. (Two kernels may be launched for
                # one run, when a job launched ahead on one worker is taken by another.)
                self.manager.transport = "ipc"
                name = f"jupyter-mlops-{launch.key}-{secrets.token_hex(4)}"
                self.manager.ip = os.path.join(tempfile.gettempdir(), name)
        run_sync(self.manager.start_kernel)(
            cwd=launch.cwd,
            env=env,
            extra_arguments=extra,
            stdout=self._log,
            stderr=self._log,
        )
        provisioner: Any = self.manager.provisioner  # jupyter_client's LocalProvisioner
        self.process: subprocess.Popen[Any] = provisioner.process
        self.pid: int = self.process.pid
        self.pgid: int | None = getattr(provisioner, "pgid", None)

    def __repr__(self) -> str:
        return f"<PreparedKernel {self.launch.kernel_name} pid={self.pid} for {self.launch.key}>"

    def connect(self) -> Any:
        """The kernel's client, its channels opened now so that they are connected (and the
        kernel has booted meanwhile) by the time the notebook starts. Call it from the thread
        that executes the notebook: the channels belong to that thread's event loop."""
        if self.client is None:
            client = self.manager.client()
            client.start_channels()
            client.allow_stdin = False
            self.client = client
        return self.client

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.pgid and hasattr(os, "killpg"):
                os.killpg(self.pgid, signum)
            else:
                os.kill(self.pid, signum)

    def interrupt(self) -> None:
        """Ask the running cell to stop (KeyboardInterrupt in a Python kernel)."""
        if self.alive:
            self._signal(signal.SIGINT)

    def kill(self) -> None:
        """End the kernel process (and anything it started) now. Safe from any thread."""
        if self.alive:
            self._signal(signal.SIGKILL)

    def stop(self, wait: bool = True) -> None:
        """End the kernel now: close its channels and kill it (no polite shutdown to wait on).

        With ``wait=False`` the caller goes on at once and the process is reaped in the
        background (:func:`wait_for_stopped_kernels` waits for those).
        """
        with self._lock:
            if self.ended:
                return
            self.ended = True
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.stop_channels()
        self.kill()
        if wait:
            self._finish()
            return
        thread = threading.Thread(
            target=self._finish, name="jupyter-mlops-kernel-stop", daemon=True
        )
        with _stopping_lock:
            _stopping.add(thread)
        thread.start()

    def _finish(self) -> None:
        try:
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            self._cleanup()
        finally:
            with _stopping_lock:
                _stopping.discard(threading.current_thread())

    def _cleanup(self) -> None:
        provisioner = self.manager.provisioner
        if provisioner is not None:
            with contextlib.suppress(Exception):
                _run_coroutine(provisioner.cleanup(restart=False))  # gives its ports back
        with contextlib.suppress(Exception):
            self.manager.cleanup_connection_file()
        with contextlib.suppress(Exception):
            self.manager.cleanup_ipc_files()
        with contextlib.suppress(Exception):
            self.manager._close_control_socket()
        with contextlib.suppress(Exception):
            self.manager.context.destroy(linger=0)

    def log_tail(self, lines: int = 20) -> str:
        """The kernel process's own stdout/stderr (not cell output), last lines, noise dropped."""
        try:
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        kept = [line for line in text.splitlines() if _TCP_WARNING not in line and line.strip()]
        return "\n".join(kept[-lines:])

    def close_log(self) -> None:
        with contextlib.suppress(OSError):
            self._log.close()


# --- the per-process pool --------------------------------------------------------------


class KernelPool:
    """Kernels this process launched ahead, keyed by the run id each will serve."""

    def __init__(self) -> None:
        self._kernels: dict[str, PreparedKernel] = {}
        self._lock = threading.Lock()

    def prestart(self, launch: KernelLaunch, slot: str | None = None) -> None:
        """Launch the kernel of an execution that will come next (it boots meanwhile)."""
        with self._lock:
            if launch.key in self._kernels:
                return
        kernel = PreparedKernel(launch, slot)
        with self._lock:
            self._kernels[launch.key] = kernel

    def take(self, launch: KernelLaunch, slot: str | None = None) -> PreparedKernel:
        """The kernel launched ahead for this execution, or a new one."""
        with self._lock:
            kernel = self._kernels.pop(launch.key, None)
        self._expire()
        if kernel is not None and kernel.alive and kernel.launch == launch:
            return kernel
        if kernel is not None:
            kernel.stop()
            kernel.close_log()
        return PreparedKernel(launch, slot)

    def discard(self, slot: str | None, keep: set[str]) -> None:
        """End the kernels launched ahead for ``slot`` that it will not use after all."""
        with self._lock:
            doomed = [k for key, k in self._kernels.items() if k.slot == slot and key not in keep]
            for kernel in doomed:
                del self._kernels[kernel.launch.key]
        for kernel in doomed:
            kernel.stop()
            kernel.close_log()

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            old = [k for k in self._kernels.values() if now - k.launched_at > PRESTART_EXPIRY]
            for kernel in old:
                del self._kernels[kernel.launch.key]
        for kernel in old:
            kernel.stop()
            kernel.close_log()

    def shutdown(self) -> int:
        """End every kernel still waiting in the pool; returns how many there were."""
        with self._lock:
            kernels = list(self._kernels.values())
            self._kernels.clear()
        for kernel in kernels:
            kernel.stop()
            kernel.close_log()
        wait_for_stopped_kernels()
        return len(kernels)

    def __len__(self) -> int:
        return len(self._kernels)


_pool: KernelPool | None = None
_pool_lock = threading.Lock()


def kernel_pool() -> KernelPool:
    """This process's pool (one per worker process)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = KernelPool()
            atexit.register(_pool.shutdown)
        return _pool
