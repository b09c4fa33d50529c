"""The :class:`~jupyter_mlops.errors.RunError` of an execution that did not finish: a cell
that raised, a kernel that died or would not start, a timeout, Ctrl-C or SIGTERM.

Every record names the cell as the notebook's author sees it: its position among the
notebook's own cells (1-based; the injected-parameters cell papermill adds and its
error-marker cells are not counted), its execution count and its first line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import RunError, first_source_line
from . import termination

#: papermill's tags: the cell it writes the parameters into, and its "an error occurred" cells.
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"


def _tags(cell: Mapping[str, Any]) -> Sequence[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def has_injected_cell(notebook: Mapping[str, Any]) -> bool:
    """Whether the notebook, as its author saved it, already holds an injected-parameters cell
    (a papermill output used as input): that cell is then one of its own."""
    return any(INJECTED_TAG in _tags(cell) for cell in notebook.get("cells", []))


def cell_error(notebook: Any, index: int | None, *, own_injected: bool = False,
               base: RunError | None = None, **fields: Any) -> RunError:
    """``base`` (or a record made of ``fields``) located at cell ``index`` of the executed
    ``notebook``: position among the author's cells, execution count, first line."""
    record = base.replace(**fields) if base is not None else RunError(**fields)
    cells = list(notebook.get("cells", [])) if notebook is not None else []
    if index is None or not 0 <= index < len(cells):
        return record
    position = 0
    for cell in cells[: index + 1]:
        tags = _tags(cell)
        if ERROR_MARKER_TAG in tags or (INJECTED_TAG in tags and not own_injected):
            continue
        position += 1
    cell = cells[index]
    source = _source(cell)
    count = cell.get("execution_count")
    tags = _tags(cell)
    injected = INJECTED_TAG in tags and not own_injected
    return record.replace(
        cell=None if injected else position,
        cell_index=index,
        execution_count=count if isinstance(count, int) else record.execution_count,
        source_line=first_source_line(source) or ("injected parameters" if injected else None),
        source=source or record.source,
    )


def _papermill(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = cell.get("metadata", {}).get("papermill", {})
    return meta if isinstance(meta, Mapping) else {}


def failed_index(notebook: Any) -> int | None:
    """Index, in the executed notebook, of the cell that failed (papermill marks it)."""
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.get("cells", [])):
        if _papermill(cell).get("exception"):
            return index
    return None


def running_index(notebook: Any) -> int | None:
    """Index of the cell that was running when the execution stopped."""
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.get("cells", [])):
        if _papermill(cell).get("status") == "running":
            return index
    return failed_index(notebook)


def execution_error(notebook: Any, exc: Any, own_injected: bool) -> RunError:
    """A cell raised (papermill's ``PapermillExecutionError``)."""
    index = failed_index(notebook)
    return cell_error(
        notebook,
        index if index is not None else exc.cell_index,
        own_injected=own_injected,
        ename=exc.ename,
        evalue=str(exc.evalue),
        traceback="\n".join(exc.traceback or []),
        execution_count=exc.exec_count,
        source=exc.source,
    ).replace(**_plain_fields(exc))


def _plain_fields(exc: Any) -> dict[str, str]:
    from ..errors import _plain

    return {"evalue": _plain(str(exc.evalue)), "traceback": _plain("\n".join(exc.traceback or []))}


def dead_kernel_error(notebook: Any, kernel_log: str | None, own_injected: bool) -> RunError:
    """The kernel died under a cell (killed, out of memory, a crash in native code)."""
    evalue = "the kernel died"
    if kernel_log:
        evalue += f"; its last words: {kernel_log.splitlines()[-1]}"
    return cell_error(notebook, running_index(notebook), own_injected=own_injected,
                      ename="DeadKernelError", evalue=evalue, kernel_log=kernel_log or None)


def stopped_error(notebook: Any, error: RunError | None, reason: str, *, timeout: float | None,
                  own_injected: bool) -> RunError:
    """The execution was stopped (``reason``: ``"timeout"`` or ``"interrupted"``): the record
    names the cell that was running, and keeps that cell's traceback when it has one."""
    index = error.cell_index if error is not None and error.cell_index is not None else None
    if index is None:
        index = running_index(notebook)
    started = index is not None or (notebook is not None and any(
        _papermill(cell).get("status") not in (None, "pending") for cell in notebook.get("cells", [])))
    if reason == "timeout":
        ename = "Timeout"
        evalue = f"the notebook did not finish within {timeout:g} s" if timeout else "timed out"
    else:
        ename = "KeyboardInterrupt"
        evalue = f"interrupted by {termination.cause()}" + ("" if started else " before it started")
    return cell_error(notebook, index, own_injected=own_injected, reason=reason, ename=ename,
                      evalue=evalue, traceback=error.traceback if error is not None else "")


def start_error(exc: BaseException, kernel_name: str) -> RunError:
    """No kernel could start (not installed here, a missing working directory...)."""
    record = RunError.from_exception(exc)
    return record.replace(evalue=f"the kernel {kernel_name!r} could not start: {record.evalue}")


__all__ = ["cell_error", "dead_kernel_error", "execution_error", "failed_index", "has_injected_cell",
           "running_index", "start_error", "stopped_error"]
