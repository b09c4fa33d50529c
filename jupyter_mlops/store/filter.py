"""The filter language shared by the store, the CLI, the REST API and the sidebar.

    params.lr = 0.1 and metrics.acc >= 0.9
    tags.stage = 'prod' or status = 'failed'
    name LIKE 'train%' and params.opt IN ('adam', 'sgd')
    not (status = 'finished') and started_at > '2026-01-01'

Order-by expressions: ``metrics.acc desc, started_at``.

Text is tokenised and parsed by hand into a small tree, then turned into SQL with
bound parameters. Nothing is ever evaluated.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import FilterSyntaxError
from .filter_limits import Budget, check_length, number_value, string_value

# --- the tree -----------------------------------------------------------------------

Literal = str | float | int | bool | None

#: Run attributes a filter may name, with the kind of value they hold.
ATTRIBUTES: dict[str, str] = {
    "id": "text",
    "name": "text",
    "experiment": "text",
    "status": "text",
    "source": "text",
    "parent_id": "text",
    "notebook_path": "text",
    "note": "text",
    "user": "text",
    "started_at": "time",
    "ended_at": "time",
    "duration": "number",
}
#: Prefixes that name a key of a run's dictionaries (``params.lr``, ...).
PREFIXES = {"params": "params", "param": "params", "metrics": "metrics", "metric": "metrics",
            "tags": "tags", "tag": "tags"}
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Field:
    kind: str  # "attribute", "params", "metrics" or "tags"
    name: str  # the attribute, or the key inside params/metrics/tags
    position: int

    def __str__(self) -> str:
        return self.name if self.kind == "attribute" else f"{self.kind}.{self.name}"


@dataclass(frozen=True)
class Comparison:
    field: Field
    op: str  # one of COMPARISONS, "like", "not like", "in", "not in", "is null", "is not null"
    value: Any  # a Literal, or a tuple of them for IN


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Comparison | And | Or | Not


@dataclass(frozen=True)
class OrderKey:
    field: Field
    descending: bool


# --- tokens -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<infinity>[-+][iI][nN][fF](?![\w.]))
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<quoted>`[^`]*`)
  | (?P<op><=|>=|!=|<>|==|=|<|>)
  | (?P<punct>[(),.])
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-/:]*)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "like", "in", "is", "null", "true", "false", "asc", "desc",
             "nan", "inf"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, quoted, op, punct, word, end
    text: str
    value: Any
    position: int


def _tokenise(text: str) -> Iterator[_Token]:
    """The tokens of ``text``, made as the parser asks for them: a text that breaks a rule
    or a limit early is refused after a few tokens, not after all of its 100,000 characters."""
    check_length(text)
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FilterSyntaxError(text, position, f"unexpected character {text[position]!r}")
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "number":
            yield _Token(kind, raw, number_value(raw, text, position), position)
        elif kind == "infinity":  # -inf (plain inf is a word, like nan)
            yield _Token("number", raw, math.inf if raw[0] == "+" else -math.inf, position)
        elif kind == "string":
            value = raw[1:-1].replace(raw[0] * 2, raw[0])
            yield _Token(kind, raw, string_value(value, text, position), position)
        elif kind == "quoted":
            yield _Token(kind, raw, string_value(raw[1:-1], text, position), position)
        elif kind == "op":
            op = {"==": "=", "<>": "!="}.get(raw, raw)
            yield _Token(kind, raw, op, position)
        elif kind != "space":
            yield _Token(kind, raw, raw, position)
        position = match.end()
    yield _Token("end", "", None, len(text))


# --- parser -------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self._source = _tokenise(text)
        self._seen: list[_Token] = []  # the tokens made so far
        self.index = 0
        self.budget = Budget(text)

    def token(self, index: int) -> _Token:
        """The token at ``index`` (the end token past the end), tokenising up to it."""
        while len(self._seen) <= index:
            if self._seen and self._seen[-1].kind == "end":
                return self._seen[-1]
            self._seen.append(next(self._source))
        return self._seen[index]

    @property
    def current(self) -> _Token:
        return self.token(self.index)

    def fail(self, message: str, token: _Token | None = None) -> FilterSyntaxError:
        token = token or self.current
        found = "the end of the text" if token.kind == "end" else repr(token.text)
        return FilterSyntaxError(self.text, token.position, f"{message}, found {found}")

    def advance(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.current
        return token.kind == "word" and token.text.lower() in words

    def expect_punct(self, char: str, what: str) -> None:
        if self.current.kind == "punct" and self.current.text == char:
            self.advance()
            return
        raise self.fail(f"expected {what}")

    # expression := or
    def parse_filter(self) -> Node:
        node = self.parse_or()
        if self.current.kind != "end":
            raise self.fail("expected 'and', 'or' or the end of the filter")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.is_word("or"):
            self.advance()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.is_word("and"):
            self.advance()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_not(self) -> Node:
        if self.is_word("not"):
            self.budget.enter(self.advance().position)
            node = Not(self.parse_not())
            self.budget.leave()
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        if self.current.kind == "punct" and self.current.text == "(":
            self.budget.enter(self.advance().position)
            node = self.parse_or()
            self.expect_punct(")", "')' to close the parenthesis")
            self.budget.leave()
            return node
        return self.parse_comparison()

    def parse_field(self) -> Field:
        token = self.current
        if token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise self.fail("expected a field such as params.lr, metrics.acc, tags.stage, "
                            "name, experiment or status")
        self.advance()
        word = token.text
        prefix = PREFIXES.get(word.lower())
        if prefix is not None and self.current.kind == "punct" and self.current.text == ".":
            self.advance()
            key_token = self.current
            if key_token.kind == "quoted" or (key_token.kind == "word"):
                self.advance()
                key = key_token.value
                # keys may contain dots: metrics.val.loss
                while self.current.kind == "punct" and self.current.text == "." and \
                        self.token(self.index + 1).kind in ("word", "number"):
                    self.advance()
                    key += "." + self.advance().text
                if not key:
                    raise self.fail("expected a key name", key_token)
                return Field(prefix, key, token.position)
            if key_token.kind == "string":
                self.advance()
                return Field(prefix, key_token.value, token.position)
            raise self.fail(f"expected a key after '{word}.' (quote odd keys with backticks: "
                            f"{word}.`my key`)")
        name = word.lower()
        if "/" not in word and name in ATTRIBUTES:
            return Field("attribute", name, token.position)
        known = ", ".join([*ATTRIBUTES, "params.KEY", "metrics.KEY", "tags.KEY"])
        raise FilterSyntaxError(self.text, token.position, f"unknown field {word!r}; known fields: {known}")

    def parse_literal(self) -> Literal:
        token = self.current
        self.budget.value(token.position)
        if token.kind in ("number", "string"):
            self.advance()
            return token.value  # type: ignore[no-any-return]
        if token.kind == "word":
            word = token.text.lower()
            constants: dict[str, Literal] = {"true": True, "false": False, "null": None,
                                             "nan": math.nan, "inf": math.inf}
            if word in constants:
                self.advance()
                return constants[word]
        if token.kind == "op" and token.text == "-" :  # pragma: no cover - tokeniser folds signs
            pass
        raise self.fail("expected a value: a number, a 'quoted string', true, false or null")

    def parse_comparison(self) -> Comparison:
        self.budget.comparison(self.current.position)
        field = self.parse_field()
        token = self.current
        if token.kind == "op":
            self.advance()
            return Comparison(field, token.value, self.parse_literal())
        negate = False
        if self.is_word("is"):
            self.advance()
            if self.is_word("not"):
                self.advance()
                negate = True
            if not self.is_word("null"):
                raise self.fail("expected 'null' after 'is'")
            self.advance()
            return Comparison(field, "is not null" if negate else "is null", None)
        if self.is_word("not"):
            self.advance()
            negate = True
            if not self.is_word("like", "in"):
                raise self.fail(f"expected 'like' or 'in' after '{field} not'")
        if self.is_word("like"):
            self.advance()
            value = self.parse_literal()
            if not isinstance(value, str):
                raise self.fail("LIKE takes a 'quoted pattern'", self.token(self.index - 1))
            return Comparison(field, "not like" if negate else "like", value)
        if self.is_word("in"):
            self.advance()
            self.expect_punct("(", "'(' to open the list after IN")
            values = [self.parse_literal()]
            while self.current.kind == "punct" and self.current.text == ",":
                self.advance()
                values.append(self.parse_literal())
            self.expect_punct(")", "',' or ')' in the IN list")
            return Comparison(field, "not in" if negate else "in", tuple(values))
        raise self.fail(f"expected a comparison after {field} (=, !=, <, <=, >, >=, LIKE, IN, IS NULL)")

    def parse_order_by(self) -> list[OrderKey]:
        keys: list[OrderKey] = []
        while True:
            self.budget.order_key(self.current.position)
            field = self.parse_field()
            descending = False
            if self.is_word("asc", "desc"):
                descending = self.advance().text.lower() == "desc"
            keys.append(OrderKey(field, descending))
            if self.current.kind == "punct" and self.current.text == ",":
                self.advance()
                continue
            if self.current.kind != "end":
                raise self.fail("expected ',', 'asc', 'desc' or the end of the order")
            return keys


def parse_filter(text: str) -> Node | None:
    """Parse a filter; ``None`` for an empty one. Raises :class:`FilterSyntaxError`."""
    if not text or not text.strip():
        return None
    node = _Parser(text).parse_filter()
    _check(node, text)
    return node


def parse_order_by(text: str) -> list[OrderKey]:
    if not text or not text.strip():
        return []
    return _Parser(text).parse_order_by()


def _check(node: Node, text: str) -> None:
    """Reject comparisons that can never make sense, naming where they are."""
    if isinstance(node, (And, Or)):
        for part in node.parts:
            _check(part, text)
        return
    if isinstance(node, Not):
        _check(node.part, text)
        return
    field, values = node.field, node.value if isinstance(node.value, tuple) else (node.value,)
    kind = field.kind if field.kind != "attribute" else ATTRIBUTES[field.name]
    if node.op in ("like", "not like") and kind in ("metrics", "number", "time"):
        raise FilterSyntaxError(text, field.position, f"LIKE needs a text field, {field} holds numbers")
    for value in values:
        if kind in ("metrics", "number") and isinstance(value, str):
            raise FilterSyntaxError(text, field.position, f"{field} holds numbers; compare it with a number, not {value!r}")
        if kind == "time" and isinstance(value, str):
            to_timestamp(value, text, field.position)


def to_timestamp(value: str, text: str = "", position: int = 0) -> float:
    try:
        moment = _dt.datetime.fromisoformat(value)
    except ValueError:
        raise FilterSyntaxError(text or value, position,
                                f"{value!r} is not a date; write it as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'") from None
    try:
        return (moment.astimezone() if moment.tzinfo is None else moment).timestamp()
    except (ValueError, OverflowError, OSError):  # the first or last day of year 1 or 9999
        raise FilterSyntaxError(text or value, position,
                                f"the date {value!r} is out of range; write one between the years 2 and 9998") from None
