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
