"""The kernel's notebook: where it is, what is saved in it, and the snapshot a run keeps.

The notebook is found, in this order, from ``JUPYTER_MLOPS_NOTEBOOK`` (set by the runner
under papermill), ``__session__`` / ``JPY_SESSION_NAME`` (Jupyter server), and
``__vsc_ipynb_file__`` (VS Code). When none names a readable notebook, the snapshot is
built from the kernel's input history instead, and the run's tags say why.

A saved notebook is parsed once per version of the file (its size and modification
time), so tracking many cells of a large notebook costs one ``stat`` each.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import config
from ..errors import MlopsError
from ..notebook.cells import NotebookError, cell_source, cell_tags, parse_content

SESSION_ENV = "JPY_SESSION_NAME"

# Tags a run gets about its snapshot: where it came from, and why not the file.
SNAPSHOT_TAG = "mlops.snapshot"
SNAPSHOT_PROBLEM_TAG = "mlops.snapshot_problem"


class NotebookUnreadable(MlopsError):
    """The notebook file exists but cannot be read as a notebook (e.g. half-saved)."""


@dataclass(frozen=True)
class SavedCell:
    """A cell of the saved notebook, as far as runs care."""

    index: int
    cell_type: str
    source: str
    execution_count: int | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SavedNotebook:
    path: Path
    data: bytes
    digest: str
    cells: tuple[SavedCell, ...]

    @property
    def code_cells(self) -> list[SavedCell]:
        return [cell for cell in self.cells if cell.cell_type == "code"]


@dataclass(frozen=True)
class Snapshot:
    """The notebook bytes a run keeps, and where they came from."""

    data: bytes
    origin: str  # "file" or "history"
    path: Path | None = None
    problem: str | None = None

    @property
    def tags(self) -> dict[str, str]:
        tags = {SNAPSHOT_TAG: self.origin}
        if self.problem:
            tags[SNAPSHOT_PROBLEM_TAG] = self.problem
        return tags


def notebook_candidates(user_ns: Mapping[str, Any]) -> list[str]:
    """Paths that may name the kernel's notebook, most trusted first."""
    found = [
        os.environ.get(config.NOTEBOOK_ENV),
        user_ns.get("__session__"),
        os.environ.get(SESSION_ENV),
        user_ns.get("__vsc_ipynb_file__"),
    ]
    candidates: list[str] = []
    for item in found:
        if isinstance(item, str) and item.strip() and item not in candidates:
            candidates.append(item)
    return candidates


def find_notebook(user_ns: Mapping[str, Any]) -> tuple[Path | None, str | None]:
    """``(path, None)`` for the kernel's notebook file, or ``(None, why not)``.

    ``why not`` is None when nothing names a notebook (plain IPython): that is no problem.
    """
    problems = []
    for candidate in notebook_candidates(user_ns):
        path = Path(candidate).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.suffix != ".ipynb":
            continue  # a console or a script session
        if path.is_file():
            return path, None
        problems.append(f"notebook {path} not found (renamed or not saved yet?)")
    return None, "; ".join(problems) or None


_cache_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int, int], SavedNotebook]] = {}


def read_notebook(path: str | os.PathLike[str]) -> SavedNotebook:
    """The saved notebook at ``path``; raises :class:`NotebookUnreadable` for a file that is
    not a notebook (half-saved, truncated, another format)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise NotebookUnreadable(f"cannot read notebook {path}: {exc.strerror or exc}") from exc
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    with _cache_lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotebookUnreadable(f"cannot read notebook {path}: {exc.strerror or exc}") from exc
    notebook = SavedNotebook(path=path, data=data, digest=hashlib.sha256(data).hexdigest(),
                             cells=_parse_cells(path, data))
    with _cache_lock:
        _cache.clear()  # one kernel has one notebook: keep only the latest
        _cache[path] = (signature, notebook)
    return notebook


def _parse_cells(path: Path, data: bytes) -> tuple[SavedCell, ...]:
    try:
        content = parse_content(data, f"notebook {path}", upgrade=True)
    except NotebookError as exc:
        raise NotebookUnreadable(str(exc)) from exc
    cells = []
    for index, cell in enumerate(content["cells"]):
        count = cell.get("execution_count")
        cells.append(SavedCell(index=index, cell_type=str(cell.get("cell_type", "")), source=cell_source(cell),
                               execution_count=count if isinstance(count, int) else None,
                               tags=tuple(cell_tags(cell))))
    return tuple(cells)


# The JSON text of each history cell, by (execution count, source): a kernel's history only
# grows, so each cell is encoded once instead of once per later tracked cell.
_history_cells: dict[tuple[int, str], str] = {}
_HISTORY_CELLS_MAX = 20_000


def _history_cell(count: int, source: str) -> str:
    key = (count, source)
    text = _history_cells.get(key)
    if text is None:
        if len(_history_cells) >= _HISTORY_CELLS_MAX:
            _history_cells.clear()
        cell = {"cell_type": "code", "execution_count": count, "id": f"history-{count}", "metadata": {},
                "outputs": [], "source": source}
        text = _history_cells[key] = json.dumps(cell, ensure_ascii=False)
    return text


def history_notebook(history: Sequence[tuple[int, str]]) -> bytes:
    """A notebook of the cells the kernel ran, in order, for kernels without a notebook file:
    the same bytes as ``json.dumps`` of the whole notebook, put together from each cell's
    encoded text."""
    import platform

    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": platform.python_version()},
        "jupyter_mlops": {"snapshot": "history"},
    }
    # Compact JSON: indenting switches json to its pure-Python encoder, many times slower.
    cells = ", ".join(_history_cell(count, source) for count, source in history)
    tail = json.dumps({"metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, ensure_ascii=False)
    return ('{"cells": [' + cells + "], " + tail[1:]).encode("utf-8")


def take_snapshot(user_ns: Mapping[str, Any], history: Sequence[tuple[int, str]]) -> tuple[Snapshot, SavedNotebook | None]:
    """The snapshot of the kernel's notebook now, and the saved notebook when there is one."""
    path, problem = find_notebook(user_ns)
    if path is not None:
        try:
            saved = read_notebook(path)
        except NotebookUnreadable as exc:
            problem = str(exc)
        else:
            return Snapshot(data=saved.data, origin="file", path=path), saved
    return Snapshot(data=history_notebook(history), origin="history", problem=problem), None


__all__ = ["NotebookUnreadable", "SavedCell", "SavedNotebook", "Snapshot", "find_notebook", "history_notebook",
           "notebook_candidates", "read_notebook", "take_snapshot"]
