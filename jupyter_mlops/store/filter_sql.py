"""What one comparison of the filter language means, as SQL that is never NULL.

The rules (the same for SQLite and PostgreSQL, and for every face):

- A field is *missing* when a run lacks the key (``params.lr``, ``metrics.acc``,
  ``tags.stage``) or the attribute holds nothing (``ended_at`` and ``duration`` of a running
  run, an empty ``parent_id``...). ``f is null`` and ``f = null`` hold exactly for missing
  fields, ``f is not null`` and ``f != null`` for present ones.
- Every other comparison is false on a missing field, the negative ones too: ``f != v``,
  ``f not in (...)`` and ``f not like p`` mean "present and not ``=`` / ``in`` / ``like``",
  as in SQL and MLflow (``tags.stage != 'prod'`` skips runs without a stage). ``not``
  alone is the complement: ``not tags.stage = 'prod'`` includes them.
- So each comparison is true or false for every run, never unknown, and ``and``, ``or`` and
  ``not`` are the intersection, the union and the complement of the runs they match.
- NaN is a value (metrics and params keep it): ``= nan`` matches it, ``!= nan`` every other
  present value; ``<``, ``<=``, ``>``, ``>=`` with NaN on either side are false (IEEE 754),
  so a NaN metric is ``!=`` every number. inf and -inf order as numbers.
- Numbers compare as 64-bit floats (``1`` equals ``1.0``). A param compares as a number
  with a number and as text with anything else: its text is the string itself, or the JSON
  of any other value (``true``, ``null``, ``[1, 2]``), and ``true``/``false`` are the texts
  ``'true'``/``'false'``. Tags and text attributes compare as text; a number there is
  written as JSON writes it (``0.1``, ``1e+20``, ``NaN``, ``Infinity``). Metrics, ``duration`` and times compare only as numbers (a time with a
  date, ``true`` as 1).
- Text order is by character code (Python's, SQLite's BINARY, PostgreSQL's "C" collation,
  whatever the database's own collation). ``x in (a, b)`` is ``x = a or x = b``.
- ``LIKE`` is case-sensitive: ``%`` matches any run of characters, ``_`` any one, every
  other character (backslash included) only itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, false, literal, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from .filter import to_timestamp

#: ``has(condition)``: the run's field is present and its value meets ``condition``
#: (``None``: present at all). Callers build it from EXISTS, IN or a column test.
Has = Callable[[ColumnElement[bool] | None], ColumnElement[bool]]
#: ``test(op, value)``: the value comparison for a present field ("=", "<", "<=", ">",
#: ">=", "like" with one literal, or "in" with a tuple), never NULL on a present field.
Test = Callable[[str, Any], ColumnElement[bool]]

_ORDER = {
    "=": lambda c, v: c == v,
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
}
_NEGATIVE = {"!=": "=", "not like": "like"}


def comparison(op: str, value: Any, has: Has, test: Test) -> ColumnElement[bool]:
    """One comparison as a two-valued condition, from the rules in the module's docstring."""
    row = row_condition(op, value, test)
    if row is not None:
        return has(None if row is _ANY_ROW else row)
    if op == "is null" or (value is None and op == "="):
        return not_(has(None))
    if value is None:  # <, <=, >, >= null
        return false()
    present = tuple(v for v in value if v is not None)  # 'in' with null in its list
    return or_(not_(has(None)), has(test("in", present))) if present else not_(has(None))


_ANY_ROW: Any = true()


def row_condition(op: str, value: Any, test: Test) -> ColumnElement[bool] | None:
    """The condition on a field's value that the comparison asks of a present field (it holds
    exactly for the runs with such a value; ``true()`` for any value), or ``None`` for the
    comparisons that also, or only, match runs lacking the field (``is null``, ``= null``,
    ``in (null, ...)``, ``< null``): what an index-driven plan may drive a search by."""
    if op == "is not null" or (value is None and op == "!="):
        return _ANY_ROW
    if op == "is null" or value is None:
        return None
    if op in ("in", "not in"):
        present = tuple(v for v in value if v is not None)
        if op == "not in":  # present and not in the list; null in it changes nothing
            return not_(test("in", present)) if present else _ANY_ROW
        return test("in", present) if len(present) == len(value) else None
    if op in _NEGATIVE:
        return not_(test(_NEGATIVE[op], value))
    return test(op, value)


def column_has(column: Any, nullable: bool) -> Has:
    """``has`` for a column of ``runs`` (or an expression on them such as ``duration``)."""
    def has(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        parts = [column.is_not(None)] if nullable else []
        if condition is not None:
            parts.append(condition)
        return and_(*parts) if parts else column.is_not(None)
    return has


def number_test(column: Any, is_nan: ColumnElement[bool], time: bool = False, nulls: bool = True) -> Test:
    """``test`` for numbers held in ``column`` (NULL where the value is no number or NaN;
    ``is_nan`` tells NaN apart; ``nulls=False``: never NULL where the field is present).
    ``time``: a quoted date stands for its timestamp."""
    def number(value: Any) -> float:
        return to_timestamp(value) if time and isinstance(value, str) else float(value)

    def test(op: str, value: Any) -> ColumnElement[bool]:
        values = [number(v) for v in (value if op == "in" else (value,))]
        wanted = [v for v in values if not math.isnan(v)]
        nan = len(wanted) < len(values)
        if not wanted:  # only NaN: equal to NaN, unordered with everything
            return is_nan if op in ("=", "in") else false()
        found = column.in_(wanted) if op == "in" else _ORDER[op](column, wanted[0])
        if nulls:
            found = and_(column.is_not(None), found)  # no NULL out of a NaN or text value
        return or_(found, is_nan) if nan else found
    return test


def literal_text(value: Any) -> str:
    """A literal compared with text: strings as they are, ``true``/``false``, numbers as
    Python writes them (``0.1``, ``1e+20``, ``NaN``, ``Infinity``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return json.dumps(value)


def text_test(column: Any) -> Test:
    """``test`` for a text column that is never NULL where the field is present."""
    def test(op: str, value: Any) -> ColumnElement[bool]:
        if op == "in":
            return column.in_([literal_text(v) for v in value])  # type: ignore[no-any-return]
        if op == "like":
            return Like(column, value)
        if op == "=":
            return column == literal_text(value)  # type: ignore[no-any-return]
        return _ORDER[op](ByCode(column), literal_text(value))  # type: ignore[no-any-return]
    return test


def param_test(value_num: Any, value_json: Any, value_str: Any) -> Test:
    """``test`` for params: number literals against the number, the rest against the text."""
    numbers = number_test(value_num, value_json == "NaN")
    texts = text_test(value_str)

    def numeric(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    def test(op: str, value: Any) -> ColumnElement[bool]:
        if op != "in":
            return numbers(op, value) if numeric(value) and op != "like" else texts(op, value)
        parts = [numbers("in", tuple(v for v in value if numeric(v))),
                 texts("in", tuple(v for v in value if not numeric(v)))]
        kinds = [any(numeric(v) for v in value), not all(numeric(v) for v in value)]
        return or_(*(part for part, used in zip(parts, kinds, strict=True) if used))
    return test


class ByCode(ColumnElement[str]):
    """A text column ordered by character code, as Python and SQLite's BINARY do: PostgreSQL
    orders by the database's collation otherwise (``'B' < 'a'`` false under en_US)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


class Like(ColumnElement[bool]):
    """``column LIKE pattern``, case-sensitive and without an escape character on every
    database: SQLite's LIKE ignores ASCII case, so it gets the same pattern as a GLOB."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is: no "= 1" after it on SQLite
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("pattern", InternalTraversal.dp_clauseelement),
                           ("glob", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, pattern: str) -> None:
        self.column = column
        self.pattern = literal(pattern)
        self.glob = literal(glob_pattern(pattern))


def glob_pattern(pattern: str) -> str:
    """The GLOB pattern matching what the LIKE ``pattern`` matches, case and all."""
    special = {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}
    return "".join(special.get(char, char) for char in pattern)


@compiles(ByCode)
def _by_code(element: ByCode, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)  # type: ignore[no-any-return]


@compiles(ByCode, "postgresql")
def _by_code_postgresql(element: ByCode, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


@compiles(Like)
def _like(element: Like, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} LIKE {compiler.process(element.pattern, **kw)} ESCAPE '')"


@compiles(Like, "sqlite")
def _like_sqlite(element: Like, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} GLOB {compiler.process(element.glob, **kw)})"
