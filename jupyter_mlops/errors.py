"""Errors raised by jupyter-mlops.

Every error says what was wrong and how to fix it. They all derive from
:class:`MlopsError`, so callers can catch one type.
"""

from __future__ import annotations


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
