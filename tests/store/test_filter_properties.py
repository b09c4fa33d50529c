"""Property-based tests of the filter language (Hypothesis).

Any text at all: the parser answers with a tree or a FilterSyntaxError, nothing else (no
RecursionError, OverflowError, ValueError...). Any expression the grammar allows, up to the
limits: it parses, compiles and runs on SQLite and PostgreSQL, and the count agrees with the
search. Examples are few and unhurried (no deadline: the machine is shared), so the suite stays
fast.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jupyter_mlops as mlops
from jupyter_mlops.errors import FilterSyntaxError
from jupyter_mlops.store.filter import ATTRIBUTES, parse_filter, parse_order_by
from jupyter_mlops.store.filter_limits import MAX_DEPTH, MAX_INTEGER, MAX_ORDER_KEYS, MIN_INTEGER

PARSER_ONLY = settings(max_examples=200, deadline=None)
ON_A_DATABASE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- any text ---------------------------------------------------------------------------

#: Pieces of the language, so random text often gets deep into the parser.
TOKENS = ["(", ")", "(", ")", "not", "and", "or", "NOT", "in", "like", "is", "null", "true", "nan",
          "inf", "=", "!=", "<", ">=", "==", "<>", ",", ".", "params.lr", "metrics.acc", "tags.t",
          "name", "started_at", "duration", "params", "`k`", "'x'", "\"y\"", "'2026-01-01'", "0.5",
          "-3", "1e308", "1e309", "1e-400", "9" * 25, "9" * 4400, "'", "`", "\\", "\x00", "%"]


def soup() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)


def runs_of(piece: str) -> st.SearchStrategy[str]:
    """A piece repeated up to a few times the depth limit, around a valid comparison."""
    return st.integers(0, 4 * MAX_DEPTH).map(lambda n: piece * n + "name = 'a'" + ")" * n * piece.count("("))


ANY_TEXT = st.one_of(st.text(max_size=300), soup(), runs_of("("), runs_of("not "), runs_of("not ("))


def parses_or_refuses(function, text: str) -> None:  # type: ignore[no-untyped-def]
    try:
        function(text)
    except FilterSyntaxError as error:
        assert 0 <= error.position <= len(text)


@PARSER_ONLY
@given(ANY_TEXT)
def test_any_text_is_a_filter_or_a_filter_syntax_error(text: str) -> None:
    parses_or_refuses(parse_filter, text)


@PARSER_ONLY
@given(ANY_TEXT)
def test_any_text_is_an_order_or_a_filter_syntax_error(text: str) -> None:
    parses_or_refuses(parse_order_by, text)


@PARSER_ONLY
@given(st.integers(0, 3 * MAX_DEPTH))
def test_nesting_is_accepted_exactly_up_to_the_limit(depth: int) -> None:
    text = "(" * depth + "not " * depth + "name = 'a'" + ")" * depth
    if 2 * depth <= MAX_DEPTH:
        assert parse_filter(text) is not None
    else:
        with pytest.raises(FilterSyntaxError, match=f"more than {MAX_DEPTH} deep"):
            parse_filter(text)


# --- valid expressions, from the grammar ------------------------------------------------

KEYS = st.sampled_from(["lr", "opt", "acc", "missing", "val.loss", "`odd key`", "`é/ü`"])
TEXT_FIELDS = [name for name, kind in ATTRIBUTES.items() if kind == "text"]
TIME_FIELDS = [name for name, kind in ATTRIBUTES.items() if kind == "time"]


def quoted(text: str) -> str:
    quote = "'" if len(text) % 2 else '"'
    return quote + text.replace(quote, quote * 2) + quote


NUMBERS = st.one_of(
    st.integers(MIN_INTEGER, MAX_INTEGER).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["nan", "inf", "0.0", "-0", "1e-320"]),
)
TEXTS = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20).map(
    quoted
)
DATES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(
    lambda moment: quoted(moment.isoformat())
)
CONSTANTS = st.sampled_from(["true", "false", "null", "TRUE", "Null"])


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["params", "metrics", "tags", "text", "time", "duration"]))
    if kind in ("params", "metrics", "tags"):
        field = f"{draw(st.sampled_from([kind, kind[:-1]]))}.{draw(KEYS)}"
    elif kind == "text":
        field = draw(st.sampled_from(TEXT_FIELDS))
    else:
        field = "duration" if kind == "duration" else draw(st.sampled_from(TIME_FIELDS))
    values = {
        "params": st.one_of(NUMBERS, TEXTS, CONSTANTS),
        "tags": st.one_of(NUMBERS, TEXTS, CONSTANTS),
        "text": st.one_of(TEXTS, NUMBERS, CONSTANTS),
        "metrics": st.one_of(NUMBERS, CONSTANTS),
        "duration": st.one_of(NUMBERS, CONSTANTS),
        "time": st.one_of(DATES, NUMBERS, CONSTANTS),
    }[kind]
    form = draw(st.sampled_from(["op", "op", "in", "null", "like"]))
    if form == "like" and kind in ("params", "tags", "text"):
        return f"{field} {draw(st.sampled_from(['like', 'LIKE', 'not like']))} {draw(TEXTS)}"
    if form == "in":
        items = draw(st.lists(values, min_size=1, max_size=5))
        return f"{field} {draw(st.sampled_from(['in', 'not in', 'IN']))} ({', '.join(items)})"
    if form == "null":
        return f"{field} is {draw(st.sampled_from(['', 'not ']))}null"
    return f"{field} {draw(st.sampled_from(['=', '!=', '<', '<=', '>', '>=', '==', '<>']))} {draw(values)}"


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0, budget: list[int] | None = None) -> str:
    """A filter the grammar allows, nested at most MAX_DEPTH deep, with at most ``budget[0]``
    comparisons (what it uses is taken off)."""
    budget = budget if budget is not None else [draw(st.integers(1, 24))]
    shapes = ["leaf", "not", "group", "chain"] if budget[0] >= 2 else ["leaf", "not", "group"]
    shape = draw(st.sampled_from(shapes)) if depth < MAX_DEPTH else "leaf"
    if shape == "leaf":
        budget[0] -= 1
        return draw(comparisons())
    if shape == "not":
        return f"{draw(st.sampled_from(['not', 'NOT']))} {draw(expressions(depth + 1, budget))}"
    if shape == "group":
        return f"({draw(expressions(depth + 1, budget))})"
    count = draw(st.integers(2, min(4, budget[0])))
    text = ""
    for index in range(count):
        share = [budget[0] - (count - index - 1)]  # leave one comparison for each part to come
        before = share[0]
        part = draw(expressions(depth, share))
        budget[0] -= before - share[0]
        text += part if not index else f" {draw(st.sampled_from(['and', 'or', 'AND', 'Or']))} {part}"
    return text


ORDER_FIELDS = st.one_of(
    st.sampled_from(list(ATTRIBUTES)),
    st.builds(lambda kind, key: f"{kind}.{key}", st.sampled_from(["params", "metrics", "tags"]), KEYS),
)
ORDERS = st.lists(
    st.builds(lambda field, direction: field + direction, ORDER_FIELDS, st.sampled_from(["", " asc", " DESC"])),
    max_size=MAX_ORDER_KEYS,
).map(", ".join)


@pytest.fixture
def some_runs(store_location: str):  # type: ignore[no-untyped-def]
    """Runs whose values the generated filters meet: equal, close, missing, odd."""
    for name, params, metrics, tags in (
        ("a", {"lr": 0.1, "opt": "adam", "val.loss": MAX_INTEGER}, {"acc": 0.9}, {"t": "x"}),
        ("b", {"lr": "text", "odd key": True}, {"acc": float("nan"), "val.loss": -1e308}, {}),
        ("c", {"é/ü": None, "opt": ""}, {"acc": float("inf")}, {"opt": "1"}),
    ):
        with mlops.start_run(name=name, params=params, tags=tags, store=store_location):
            mlops.log_metrics(metrics)
    return mlops.get_store(store_location)


@PARSER_ONLY
@given(expressions(), ORDERS)
def test_every_expression_of_the_grammar_parses(text: str, order: str) -> None:
    assert parse_filter(text) is not None
    assert len(parse_order_by(order)) == (order.count(",") + 1 if order else 0)


@ON_A_DATABASE
@given(expressions(), ORDERS)
def test_every_expression_of_the_grammar_runs_on_the_database(some_runs, text: str, order: str) -> None:  # type: ignore[no-untyped-def]
    found = some_runs.search_runs(text, order_by=order or None)
    assert {run.name for run in found} <= {"a", "b", "c"}
    assert some_runs.count_runs(text) == len(found)

