"""How large a filter or order-by expression may be, and the check of each limit.

Past these limits an expression is refused with :class:`FilterLimitExceeded` before anything
reaches a database. Each limit sits well below the database or Python limit it guards, so an
expression within them never meets one (the tests try each at the limit and one past it, on
SQLite and PostgreSQL).
"""

from __future__ import annotations

import math
import sys

from ..errors import FilterLimitExceeded

#: Characters in one filter or order-by text: bounds the tokeniser's work.
MAX_TEXT = 100_000
#: Levels of parentheses and ``not`` inside one another. The parser recurses four Python
#: frames per level, the tree walks and SQLAlchemy's compiler fewer: a filter 32 deep needs
#: about 140 of Python's 1,000 frames. PostgreSQL's parser recurses against
#: ``max_stack_depth`` (2 MB by default), SQLite's against a depth of 1,000.
MAX_DEPTH = 32
#: Comparisons in one filter. SQLite parses ``a OR b OR c`` as a chain one level deeper per
#: term and refuses expressions deeper than 1,000 levels (SQLITE_MAX_EXPR_DEPTH); long before
#: that, each comparison on params, metrics or tags costs one index lookup per run searched
#: (50 over 10,000 runs: about 5 s on a busy 2-core machine), so the limit is set by cost.
MAX_COMPARISONS = 50
#: Literal values in one filter, IN lists included (an IN list costs one lookup, whatever its
#: length). With one bound key per comparison that makes at most 550 bound variables: under
#: SQLite's 999 (its limit before 3.32; 32,766 since) and PostgreSQL's 65,535.
MAX_VALUES = 500
#: Characters in one quoted text or key. SQLite refuses LIKE patterns over 50,000 bytes
#: (SQLITE_MAX_LIKE_PATTERN_LENGTH), and a character takes up to 4 bytes in UTF-8.
MAX_STRING = 10_000
#: Order keys. A key on params, metrics or tags joins one more table (SQLite joins at most
#: 64) and adds up to four ORDER BY terms (the params' number and text, each after its
#: NULLs-last test): SQLite 3.40 crashes the process (a segmentation fault) on a query with
#: a LEFT JOIN and more than 64 ORDER BY terms, and 8 keys make at most 33.
MAX_ORDER_KEYS = 8
#: Whole numbers bind as 64-bit integers in SQLite (INTEGER) and PostgreSQL (BIGINT).
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**63 - 1


def check_length(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise FilterLimitExceeded(
            text, MAX_TEXT,
            f"the expression is {len(text):,} characters long; the most is {MAX_TEXT:,}",
        )


def number_value(raw: str, text: str, position: int) -> int | float:
    """A number token's value, refused unless both databases can bind and compare it."""
    if not any(c in raw for c in ".eE"):
        # 19 digits hold every 64-bit integer; longer ones are not even converted (Python
        # refuses to convert more than 4,300 digits).
        digits = raw.lstrip("+-").lstrip("0")
        value = int(raw) if len(digits) <= 19 else None
        if value is None or not MIN_INTEGER <= value <= MAX_INTEGER:
            raise FilterLimitExceeded(
                text, position,
                f"whole number out of range: filters take whole numbers from {MIN_INTEGER} "
                f"to {MAX_INTEGER}; write larger ones as decimals, e.g. 1e30",
            )
        return value
    number = float(raw)
    if math.isinf(number):
        raise FilterLimitExceeded(
            text, position,
            f"number out of range: the largest is {sys.float_info.max!r}; write inf or -inf for infinity",
        )
    if number == 0 and any(c in "123456789" for c in raw.lower().split("e")[0]):
        raise FilterLimitExceeded(
            text, position, "number too close to zero: the smallest is 5e-324; write 0 for zero"
        )
    return number


def string_value(value: str, text: str, position: int) -> str:
    """A quoted text or key, refused if long or holding NUL (PostgreSQL cannot bind it)."""
    if "\x00" in value:
        raise FilterLimitExceeded(
            text, position, "quoted text holds a NUL character, which no stored text can contain"
        )
    if len(value) > MAX_STRING:
        raise FilterLimitExceeded(
            text, position, f"quoted text of {len(value):,} characters; the most is {MAX_STRING:,}"
        )
    return value


class Budget:
    """What one expression has used so far: nesting, comparisons, values, order keys."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0
        self.comparisons = 0
        self.values = 0
        self.order_keys = 0

    def enter(self, position: int) -> None:
        """One level deeper (a '(' or a 'not'); the caller calls :meth:`leave` after it."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterLimitExceeded(
                self.text, position,
                f"parentheses and 'not' nest more than {MAX_DEPTH} deep; write the filter "
                "flatter (and/or chains need no parentheses)",
            )

    def leave(self) -> None:
        self.depth -= 1

    def comparison(self, position: int) -> None:
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise FilterLimitExceeded(
                self.text, position,
                f"more than {MAX_COMPARISONS} comparisons in one filter; match many values "
                "with IN (...), or split it into several searches",
            )

    def value(self, position: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise FilterLimitExceeded(
                self.text, position,
                f"more than {MAX_VALUES} values in one filter (IN lists included); split it "
                "into several searches",
            )

    def order_key(self, position: int) -> None:
        self.order_keys += 1
        if self.order_keys > MAX_ORDER_KEYS:
            raise FilterLimitExceeded(
                self.text, position, f"more than {MAX_ORDER_KEYS} order keys; the most is {MAX_ORDER_KEYS}"
            )
