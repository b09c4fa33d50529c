"""Which files a capture leaves out: the interpreter's own (its prefixes, site-packages, this
package, the per-user caches and config folders of IPython, Jupyter and matplotlib), and the
system's and temporary folders (``/proc``, ``/dev``, ``/sys``, ``/usr``, ``/etc``, ``/tmp`` ...)
unless the project itself lies inside one (a project under /tmp still has data).

The rule is decided once per folder, and each folder's real path is resolved once: a cell that
opened thousands of files mostly opened them in a few folders.
"""

from __future__ import annotations

import contextlib
import os
import site
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


def interpreter_folders() -> tuple[str, ...]:
    """Folders whose files are never a run's data: the interpreter's, its packages' and ours."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(__file__).resolve().parents[1])}  # this package, wherever it is installed
    with contextlib.suppress(Exception):
        found.update(site.getsitepackages())
    with contextlib.suppress(Exception):
        found.add(site.getusersitepackages())
    home = Path.home()
    found.update(str(home / name) for name in (".cache", ".ipython", ".jupyter", ".local/share/jupyter",
                                               ".config/matplotlib", ".matplotlib"))
    for env in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        if os.environ.get(env):
            found.add(os.environ[env])
    return normal_paths(found)


def system_folders() -> tuple[str, ...]:
    """The system's and temporary folders: left out unless the project itself lies inside one
    (a project under /tmp still has data)."""
    return normal_paths({"/proc", "/dev", "/sys", "/usr", "/etc", "/tmp", "/var/tmp", tempfile.gettempdir()})


def normal_paths(paths: set[str]) -> tuple[str, ...]:
    """Each path absolute and as its real path, without a trailing separator (never ``/``)."""
    result = set()
    for path in paths:
        if path and os.path.abspath(path) != os.sep:
            result.add(os.path.abspath(path).rstrip(os.sep) or os.sep)
            result.add(os.path.realpath(path).rstrip(os.sep) or os.sep)
    return tuple(sorted(result))


@dataclass(frozen=True)
class Folders:
    """Paths and everything below them, tested with one ``str.startswith`` (a capture that
    saw thousands of files tests each of them against some twenty folders)."""

    exact: frozenset[str]
    below: tuple[str, ...]

    @classmethod
    def of(cls, *groups: tuple[str, ...]) -> Folders:
        paths = {p for group in groups for p in group}
        return cls(frozenset(paths), tuple(p.rstrip(os.sep) + os.sep for p in paths))

    def hold(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.below)


#: (interpreter_folders(), system_folders()), found on first use: they do not change while
#: the process runs.
_defaults: tuple[tuple[str, ...], tuple[str, ...]] | None = None


def default_folders() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders every capture leaves out (the interpreter's), and those it leaves out
    unless the project lies inside one (the system's)."""
    global _defaults
    if _defaults is None:
        _defaults = (interpreter_folders(), system_folders())
    return _defaults


class LeftOut:
    """Whether a file is left out of a capture: below ``always``, or below ``system`` and not
    in the project (``root``). Decided once per folder, as are the folders' real paths: the
    files a cell opens mostly share a few folders."""

    def __init__(self, always: Folders, system: Folders, root: Folders) -> None:
        self._always, self._system, self._root = always, system, root
        self._folders: dict[str, bool] = {}
        self._real: dict[str, str] = {}
        self._normal: dict[str, str] = {}

    @classmethod
    def of_capture(cls, exclude: tuple[str, ...], root: str | None) -> LeftOut:
        """The rule of one capture: the default folders, ``exclude`` (the store, the notebook)
        always, and the project ``root`` kept even inside a system folder."""
        always, system = default_folders()
        return cls(Folders.of(always, exclude), Folders.of(system), Folders.of((root,) if root else ()))

    def absolute(self, path: str, cwd: str) -> str:
        """``path`` made absolute against ``cwd`` and normalised, its folder once."""
        folder, _, name = path.rpartition(os.sep)
        if name in ("", ".", "..") or not folder:
            return os.path.normpath(os.path.join(cwd, path))
        normal = self._normal.get(folder)
        if normal is None:
            normal = self._normal[folder] = os.path.normpath(os.path.join(cwd, folder))
        return normal + name if normal == os.sep else normal + os.sep + name

    def holds(self, path: str) -> bool:
        folder = path.rpartition(os.sep)[0] or os.sep
        decided = self._folders.get(folder)
        if decided is None:
            decided = self._folders[folder] = self._always.hold(folder) or (
                self._system.hold(folder) and not self._root.hold(folder))
        return decided or path in self._always.exact

    def real_folder(self, folder: str) -> str:
        real = self._real.get(folder)
        if real is None:
            real = self._real[folder] = os.path.realpath(folder or os.sep)
        return real


__all__ = ["Folders", "LeftOut", "default_folders", "normal_paths"]
