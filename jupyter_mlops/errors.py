"""Errors raised by jupyter-mlops.

Every error says what was wrong and how to fix it. They all derive from
:class:`MlopsError`, so callers can catch one type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class MlopsError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidInput(MlopsError, ValueError):
    """A name, key or value handed to the API is not acceptable."""


class ParamConflict(InvalidInput):
    """A param was logged again with a different value."""


class RunNotFound(MlopsError, LookupError):
    """No run has the given id."""

    def __init__(self, run_id: str, location: str | None = None) -> None:
        where = f" in the store at {location}" if location else ""
        super().__init__(
            f"no run with id {run_id!r}{where}; list runs with `jupyter mlops runs` "
            "(or check --store / JUPYTER_MLOPS_STORE points at the right store)"
        )
        self.run_id = run_id


class NoActiveRun(MlopsError):
    """A logging call was made while no run is active."""


class FilterSyntaxError(MlopsError, ValueError):
    """A filter or order-by expression could not be parsed."""

    def __init__(self, text: str, position: int, message: str) -> None:
        pointer = " " * position + "^"
        super().__init__(f"{message} at position {position}\n  {text}\n  {pointer}")
        self.text = text
        self.position = position
        self.reason = message


class FilterLimitExceeded(FilterSyntaxError):
    """A filter or order-by expression goes past one of the parser's limits (nesting depth,
    number of comparisons or values, order keys, size of a literal)."""

    def __init__(self, text: str, position: int, message: str) -> None:
        super().__init__(text, position, message)
        # One line with only the text near the position: such an expression is often huge.
        start = max(0, position - 15)
        excerpt = text[start : position + 25]
        near = ("..." if start else "") + excerpt + ("..." if position + 25 < len(text) else "")
        self.args = (f"{message} at position {position}, near {near!r}",)


class StoreError(MlopsError):
    """The store cannot be opened or written."""


class StoreLocationError(StoreError):
    """The store location is unusable (a file, a bad URL, ...)."""


class StoreReadOnly(StoreError):
    """The store cannot be written to."""


class SchemaTooNew(StoreError):
    """The store was written by a newer version of jupyter-mlops."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached or refused the connection."""


# --- the error record of a failed, stopped or crashed run ---------------------------------

#: Keys of the stored record that :class:`RunError` names; any other key is kept in ``extra``.
_RUN_ERROR_FIELDS = ("ename", "evalue", "traceback", "cell", "cell_index", "execution_count",
                     "source_line", "source", "reason", "kernel_log")
_SOURCE_LINE_WIDTH = 60


def first_source_line(source: str | None, width: int = _SOURCE_LINE_WIDTH) -> str | None:
    """The line that names a cell to its author: its first non-blank line that is not a cell
    magic (``%%track ...`` says how the cell runs, not which one it is), shortened to ``width``."""
    if not source:
        return None
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    chosen = next((line for line in lines if not line.startswith("%%")), lines[0] if lines else None)
    if chosen is None:
        return None
    return chosen if len(chosen) <= width else chosen[: width - 1] + "…"


@dataclass(frozen=True)
class RunError:
    """Why a run did not finish, and where: the ``error`` of a run, as every face shows it.

    ``cell`` is the failing (or running) cell's position among the notebook's own cells,
    1-based, as its author sees the notebook: papermill's injected-parameters cell and its
    error-marker cells are not counted. ``cell_index`` is that cell's index in the executed
    notebook (the run's snapshot). Records stored before ``cell_index`` existed held that index
    in ``cell``; they are read as they were written, and :meth:`describe` shows them as before.
    """

    ename: str
    evalue: str = ""
    traceback: str = ""
    cell: int | None = None
    cell_index: int | None = None
    execution_count: int | None = None
    source_line: str | None = None
    source: str | None = None
    reason: str | None = None  # "timeout" or "interrupted" when the run was stopped
    kernel_log: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # other keys (snapshot_error, ...)

    @classmethod
    def from_exception(cls, exc: BaseException, *, skip_frames: int = 0, traceback: str | None = None,
                       **where: Any) -> RunError:
        """The record of ``exc``; ``skip_frames`` leaves out that many outer frames of its
        traceback (the caller's own), ``traceback`` replaces it, ``where`` sets the other fields."""
        if traceback is None:
            import traceback as tb_module

            tb = exc.__traceback__
            for _ in range(skip_frames):
                if tb is None or tb.tb_next is None:
                    break
                tb = tb.tb_next
            traceback = "".join(tb_module.format_exception(type(exc), exc, tb))
        return cls(type(exc).__name__, _plain(str(exc)), _plain(traceback), **where)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | RunError | None) -> RunError | None:
        """The record of a stored ``error`` (None stays None); unknown keys are kept."""
        if data is None or isinstance(data, RunError):
            return data
        if not isinstance(data, Mapping):
            return cls("error", str(data))
        known = {key: data[key] for key in _RUN_ERROR_FIELDS if data.get(key) is not None}
        extra = {key: value for key, value in data.items() if key not in _RUN_ERROR_FIELDS}
        known.setdefault("ename", "error")
        for key in ("ename", "evalue", "traceback"):
            known[key] = str(known.get(key, ""))
        for key in ("cell", "cell_index", "execution_count"):
            if key in known and (isinstance(known[key], bool) or not isinstance(known[key], int)):
                extra[key] = known.pop(key)
        return cls(**known, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The stored form: the JSON keys stores have always held (``ename``, ``evalue``,
        ``traceback``, ``cell``, ...); fields that are not known are left out."""
        data: dict[str, Any] = {"ename": self.ename, "evalue": self.evalue, "traceback": self.traceback}
        for key in _RUN_ERROR_FIELDS[3:]:
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data

    def replace(self, **changes: Any) -> RunError:
        import dataclasses

        return dataclasses.replace(self, **changes)

    def where(self) -> str:
        """The cell, as its author finds it: ``cell 2 [5]: "x = 1 / 0"`` (position, execution
        count, first line); empty when no cell is known."""
        if self.cell is None and self.execution_count is None:
            return ""
        if self.cell is not None and self.cell_index is None and self.source_line is None:
            return f"cell {self.cell}"  # a record stored before positions were counted
        parts = [f"cell {self.cell}" if self.cell is not None else "cell"]
        if self.execution_count is not None:
            parts.append(f"[{self.execution_count}]")
        text = " ".join(parts)
        if self.source_line:
            text += f": {json.dumps(self.source_line, ensure_ascii=False)}"
        return text

    def describe(self) -> str:
        """The one line every face shows: ``ZeroDivisionError: division by zero (cell 1 [3]:
        "x = 1 / 0")``."""
        text = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        where = self.where()
        return f"{text} ({where})" if where else text


def describe_error(error: Mapping[str, Any] | RunError | None) -> str:
    """:meth:`RunError.describe` of a stored ``error`` (empty for none)."""
    record = RunError.from_dict(error)
    return record.describe() if record is not None else ""


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain(text: str) -> str:
    """Text without terminal colour codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)

class ModelNotFound(MlopsError, LookupError):
    """No registered model has the given name."""


class ModelVersionNotFound(ModelNotFound):
    """The model has no such version."""


class AliasNotFound(ModelNotFound):
    """The model has no such alias."""


class InvalidModelUri(InvalidInput):
    """A model URI is not one of ``name``, ``name/3``, ``name@alias``, ``models:/...``."""


class UnknownModelFormat(InvalidInput):
    """``load_model`` does not know how to load a file of this kind."""


class MissingDependency(MlopsError):
    """An optional package needed for this is not installed."""


class RunHasRegisteredModels(MlopsError):
    """A run whose artifacts are registered model versions cannot be deleted without force."""


class CorruptStore(StoreError):
    """A store file exists but is not a readable jupyter-mlops store; it is never written to."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"{path} is not a readable jupyter-mlops store ({reason}); restore it from a backup, "
            "or move it aside to start a new store there. The file was left as it is."
        )
        self.path = path
        self.reason = reason


class AmbiguousRunId(InvalidInput):
    """An id prefix matches more than one run."""

    def __init__(self, prefix: str, count: int, some: list[str]) -> None:
        more = f", ... ({count - len(some)} more)" if count > len(some) else ""
        super().__init__(
            f"run id {prefix!r} is ambiguous: matches {count} runs ({', '.join(some)}{more}); "
            "give more characters of the id"
        )
        self.prefix = prefix
        self.count = count
        self.matches = some


class RunStillRunning(MlopsError):
    """The run cannot be changed this way while it runs."""
