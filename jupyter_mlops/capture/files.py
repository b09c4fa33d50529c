"""Files a run read and wrote, seen through Python's audit hooks.

Every ``open`` of a file in this interpreter (``open``, ``os.open``, and so pandas, numpy,
joblib, torch ...) raises the audit event ``open`` with the path and the OS flags. One
process-wide hook, installed on first use (audit hooks cannot be removed), notes the paths
while a capture is active and returns at once otherwise, and for every other event.

When a capture stops, the paths are filtered (the interpreter's own files, site-packages,
the store, the notebook, ``/proc``, ``/dev``, ``/sys``, temporary folders: see
:mod:`.left_out`), stat'ed, and
handed to one background thread that hashes new content (see :mod:`..store.files`) and
writes the run's file records; the next cell is not held up, unless it opens for writing a
file still being hashed, and then only until that file is done.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import stat
import sys
import threading
from _thread import get_ident
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .left_out import LeftOut, normal_paths

if TYPE_CHECKING:
    from ..store.files import FileState
    from ..store.sqlstore import Store

logger = logging.getLogger("jupyter_mlops.capture")

_READ, _WRITE, _FIRST_READ = 1, 2, 4
_ACCESS = {os.O_RDONLY: _READ, os.O_WRONLY: _WRITE, os.O_RDWR: _READ | _WRITE}
_ACCMODE, _TRUNC = os.O_ACCMODE, os.O_TRUNC
FLUSH_TIMEOUT = 600.0

_captures: list[FileCapture] = []
_ignored_threads: set[int] = set()
_watching = False  # a capture is active, or files are being hashed: the hook has work
_hook_installed = False
_state_lock = threading.Lock()
_pending: dict[str, int] = {}  # the hasher's files not yet recorded (see _Hasher.pending)


def _audit(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    # Called for every audit event of the process, and for every open() of a tracked cell:
    # each lookup here is paid per file opened, so the common case (a path, one capture, no
    # file being hashed) touches as little as it can.
    if event != "open" or not _watching:
        return
    try:
        path, _mode, flags = args
        if path is None or path.__class__ is int or (_ignored_threads and get_ident() in _ignored_threads):
            return
        kind = _ACCESS.get(flags & _ACCMODE, _READ)
        if flags & _TRUNC:  # "w+": what it reads back is what it wrote, not an input
            kind = _WRITE
        for capture in _captures:
            seen = capture.seen
            before = seen.get(path)
            if before is None:
                seen[path] = kind | _FIRST_READ if kind & _READ else kind
            elif before | kind != before:
                seen[path] = before | kind
        if kind & _WRITE and _pending:
            _hasher.wait_for(os.path.abspath(os.fsdecode(path)))
    except Exception:  # noqa: BLE001 - an audit hook that raises would break the user's open()
        return


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
        atexit.register(finish_all)


def _update_watching() -> None:
    global _watching
    _watching = bool(_captures) or bool(_hasher.pending)


@contextlib.contextmanager
def ignoring() -> Iterator[None]:
    """Opens in this thread are not recorded (the package's own reads, such as hashing)."""
    ident = get_ident()
    already = ident in _ignored_threads
    _ignored_threads.add(ident)
    try:
        yield
    finally:
        if not already:
            _ignored_threads.discard(ident)


# --- captures ---------------------------------------------------------------------------------


@dataclass
class FileCapture:
    """The files opened while it is active, for run ``run_id`` of ``store``."""

    store: Store | str  # a Store, or the location of one to open when the capture stops
    run_id: str
    exclude: tuple[str, ...] = ()
    root: str | None = None  # the project root
    seen: dict[object, int] = field(default_factory=dict)
    cwd: str = field(default_factory=os.getcwd)

    def stop(self) -> None:
        """Stop noting files; hash and record what was seen, in the background."""
        with _state_lock:
            if self in _captures:
                _captures.remove(self)
            _update_watching()
        if self.seen:
            jobs = self.files()
            if jobs:
                _hasher.submit(self.store, self.run_id, jobs)

    def files(self) -> list[tuple[FileState, str]]:
        """(state, role) of each regular file seen, outside the left-out folders."""
        from ..store.files import FileState

        rule = LeftOut.of_capture(self.exclude, self.root)
        found = []
        for raw, bits in dict(self.seen).items():  # a copy: another thread may still be opening
            try:
                absolute = rule.absolute(os.fsdecode(raw), self.cwd)  # type: ignore[arg-type]
                if "__pycache__" in absolute or rule.holds(absolute):
                    continue
                st = os.lstat(absolute)
                if stat.S_ISLNK(st.st_mode):
                    real, st = os.path.realpath(absolute), os.stat(absolute)
                else:
                    folder, _, name = absolute.rpartition(os.sep)
                    real = os.path.join(rule.real_folder(folder), name)
                if real != absolute and rule.holds(real):
                    continue
            except (OSError, TypeError, ValueError):
                continue  # gone already (a scratch file), or not a path
            if not stat.S_ISREG(st.st_mode):
                continue
            state = FileState(absolute, st.st_size, st.st_mtime_ns)
            if bits & _FIRST_READ:
                found.append((state, "input"))
            if bits & _WRITE:
                found.append((state, "output"))
        return found


def start(store: Store | str, run_id: str, *,
          notebook: str | os.PathLike[str] | None = None) -> FileCapture | None:
    """Start noting the files this process opens for run ``run_id`` of ``store`` (a Store or a
    location); None when that run is being captured already (a ``%%track`` cell inside a
    runner-executed notebook)."""
    _install_hook()
    location = store if isinstance(store, str) else store.location
    exclude = set()
    if not _is_url(location):
        exclude.add(location)
    blobs = os.environ.get("JUPYTER_MLOPS_BLOBS")
    if blobs:
        exclude.add(blobs)
    notebook = notebook or os.environ.get("JUPYTER_MLOPS_NOTEBOOK")
    if notebook:
        exclude.add(os.fspath(notebook))
    from ..config import project_root

    root = project_root(location)
    capture = FileCapture(store, run_id, normal_paths(exclude), str(root))
    with _state_lock:
        if any(c.run_id == run_id and _location(c.store) == location for c in _captures):
            return None
        _captures.append(capture)
        _update_watching()
    return capture


def _is_url(location: str) -> bool:
    return "://" in location


def _location(store: Store | str) -> str:
    return store if isinstance(store, str) else store.location


@contextlib.contextmanager
def capture_files(run: object | None = None) -> Iterator[FileCapture | None]:
    """Record the files opened inside the block as inputs and outputs of ``run`` (default:
    the active run); ``with mlops.start_run()`` alone does not capture them."""
    from ..errors import NoActiveRun
    from ..tracking import active_run

    target = run if run is not None else active_run()
    if target is None:
        raise NoActiveRun("capture_files() needs a run: start one with mlops.start_run() or pass run=")
    capture = start(target.store, target.id)  # type: ignore[attr-defined]
    try:
        yield capture
    finally:
        if capture is not None:
            capture.stop()


def start_runner_capture() -> FileCapture | None:
    """In a kernel the runner executes (``JUPYTER_MLOPS_RUN_ID`` set): capture the whole notebook."""
    from .. import config

    run_id = os.environ.get(config.RUN_ID_ENV)
    if not run_id:
        return None
    # the store is opened when the notebook is done (SQLAlchemy is not imported for nothing)
    return start(config.resolve_location(), run_id)


def finish_all(timeout: float = FLUSH_TIMEOUT) -> None:
    """Stop every capture and wait until their files are recorded (the end of a runner
    notebook, interpreter exit)."""
    for capture in list(_captures):
        capture.stop()
    flush(timeout)


def flush(timeout: float | None = FLUSH_TIMEOUT) -> bool:
    """Wait until every file handed to the background thread is hashed and recorded."""
    return _hasher.wait_idle(timeout)


# --- hashing in the background -----------------------------------------------------------------


class _Hasher:
    """One thread that hashes files and writes file records, oldest job first."""

    def __init__(self) -> None:
        self._jobs: deque[tuple[Store | str, str, list[tuple[FileState, str]]]] = deque()
        self.pending = _pending  # absolute path -> jobs that still hold it (the hook reads it too)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, store: Store | str, run_id: str, jobs: list[tuple[FileState, str]]) -> None:
        with self._cond:
            self._jobs.append((store, run_id, jobs))
            for state, _ in jobs:
                self.pending[state.path] = self.pending.get(state.path, 0) + 1
            _update_watching()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="mlops-file-digests", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_for(self, path: str) -> None:
        if self._thread is not None and get_ident() == self._thread.ident:
            return
        with self._cond:
            self._cond.wait_for(lambda: path not in self.pending, timeout=FLUSH_TIMEOUT)

    def wait_idle(self, timeout: float | None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self.pending and not self._jobs, timeout=timeout)

    def _loop(self) -> None:
        _ignored_threads.add(get_ident())
        while True:
            with self._cond:
                if not self._jobs and not self._cond.wait_for(lambda: bool(self._jobs), timeout=30):
                    self._thread = None  # idle: the next submit starts a fresh thread
                    return
                store, run_id, jobs = self._jobs[0]
            try:
                _record(store, run_id, jobs)
            except Exception as exc:  # noqa: BLE001 - lineage is lost for this run, the work is not
                logger.warning("jupyter-mlops: could not record the files of run %s: %s", run_id, exc)
            with self._cond:
                self._jobs.popleft()
                for state, _ in jobs:
                    left = self.pending.get(state.path, 1) - 1
                    if left > 0:
                        self.pending[state.path] = left
                    else:
                        self.pending.pop(state.path, None)
                _update_watching()
                self._cond.notify_all()


def _record(where: Store | str, run_id: str, jobs: list[tuple[FileState, str]]) -> None:
    from ..store import open_store
    from ..store.files import FileRef, display_path

    store = open_store(where) if isinstance(where, str) else where
    states = {state for state, _ in jobs}
    known = store.files.known_digests(states)
    digests = {}
    for state in states:
        if state.key not in known:
            try:
                digests[state] = store.files.digest(state)
            except OSError as exc:
                logger.warning("jupyter-mlops: %s not recorded: %s", state.path, exc)
        else:
            digests[state] = known[state.key]
    refs = [FileRef(path=display_path(store, state.path), role=role, digest=digests[state], size=state.size,
                    modified_at=state.mtime_ns / 1e9) for state, role in jobs if state in digests]
    store.files.record(run_id, refs)


_hasher = _Hasher()

#: Run silently in a runner kernel before its first cell (see runner/engine.py).
RUNNER_SETUP = (
    "try:\n"
    "    from jupyter_mlops.capture import files as _mlops_files\n"
    "    _mlops_files.start_runner_capture()\n"
    "    del _mlops_files\n"
    "except Exception:\n"  # a kernel without jupyter-mlops (or its store) runs the notebook all the same
    "    pass\n"
)

__all__ = ["FileCapture", "RUNNER_SETUP", "capture_files", "finish_all", "flush", "ignoring", "start",
           "start_runner_capture"]
