"""The filter language's limits: every one tried at the limit (it runs, on SQLite and
PostgreSQL, and selects the right runs) and one past it (a one-line FilterSyntaxError naming
the limit and the position, before any database is asked)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import FilterLimitExceeded, FilterSyntaxError
from jupyter_mlops.store.filter import parse_filter, parse_order_by
from jupyter_mlops.store.filter_limits import (
    MAX_COMPARISONS,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_ORDER_KEYS,
    MAX_STRING,
    MAX_TEXT,
    MAX_VALUES,
    MIN_INTEGER,
)


@pytest.fixture
def two_runs(store_location: str):  # type: ignore[no-untyped-def]
    """Run "a" (lr 0.1, adam, acc 0.9, stage prod) and run "b" (lr 0.01, sgd, acc 0.5)."""
    for name, params, acc, tags in (
        ("a", {"lr": 0.1, "opt": "adam", "big": MAX_INTEGER}, 0.9, {"stage": "prod"}),
        ("b", {"lr": 0.01, "opt": "sgd", "big": MIN_INTEGER}, 0.5, {}),
    ):
        with mlops.start_run(name=name, params=params, tags=tags, store=store_location):
            mlops.log_metric("acc", acc)
    return mlops.get_store(store_location)


def names(store, filter: str, order_by: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    runs = store.search_runs(filter, order_by=order_by)
    assert store.count_runs(filter) == len(runs)
    return [run.name for run in runs] if order_by else sorted(run.name for run in runs)


def refused(text: str, position: int, limit: str, order: bool = False) -> FilterLimitExceeded:
    with pytest.raises(FilterLimitExceeded) as caught:
        (parse_order_by if order else parse_filter)(text)
    error = caught.value
    assert isinstance(error, FilterSyntaxError)
    assert error.position == position
    message = str(error)
    assert limit in message and f"at position {position}" in message
    assert "\n" not in message and len(message) < 400  # one line, whatever the text's size
    return error


def deepest_filter() -> str:
    """As deep and as long as the limits allow, the nested part first in each chain: SQLite
    parses ``a OR b OR c`` as a left-deep tree, so this is its deepest expression tree."""
    levels = MAX_DEPTH // 2  # each level opens a 'not' and a parenthesis
    per_level = (MAX_COMPARISONS - 1) // levels
    text = "params.opt = 'adam'"
    for level in range(levels):
        chain = " or ".join(f"params.lr = {level * 1000 + i}" for i in range(per_level))
        text = f"not ({text} or {chain})"  # an even number of 'not's: true for run "a" only
    assert text.count("(") == levels
    return text


def test_nesting_at_the_limit_runs_and_one_past_is_refused(two_runs) -> None:  # type: ignore[no-untyped-def]
    assert names(two_runs, "(" * MAX_DEPTH + "name = 'a'" + ")" * MAX_DEPTH) == ["a"]
    assert names(two_runs, "not " * MAX_DEPTH + "name = 'a'") == ["a"]
    assert names(two_runs, deepest_filter()) == ["a"]
    assert names(two_runs, deepest_filter() + " and params.opt = 'adam'") == ["a"]
    past = "(" * (MAX_DEPTH + 1) + "name = 'a'" + ")" * (MAX_DEPTH + 1)
    refused(past, MAX_DEPTH, f"more than {MAX_DEPTH} deep")
    refused("not " * (MAX_DEPTH + 1) + "name = 'a'", 4 * MAX_DEPTH, f"more than {MAX_DEPTH} deep")
    refused("not (" * 10_000 + "name = 'a'" + ")" * 10_000, 5 * (MAX_DEPTH // 2), f"more than {MAX_DEPTH} deep")


def test_as_many_comparisons_as_allowed_run_and_one_more_is_refused(two_runs) -> None:  # type: ignore[no-untyped-def]
    others = [f"params.lr = {i}" for i in range(MAX_COMPARISONS - 1)]
    assert names(two_runs, " or ".join([*others, "params.opt = 'adam'"])) == ["a"]
    assert names(two_runs, " and ".join(["params.lr > 0"] * (MAX_COMPARISONS - 1) + ["metrics.acc > 0.8"])) == ["a"]
    too_many = " or ".join([*others, "name = 'a'", "name = 'b'"])
    refused(too_many, too_many.rindex("name = 'b'"), f"more than {MAX_COMPARISONS} comparisons")
    refused(" or ".join(["name = 'a'"] * 1000), 14 * MAX_COMPARISONS, "comparisons")


def test_as_many_values_as_allowed_run_and_one_more_is_refused(two_runs) -> None:  # type: ignore[no-untyped-def]
    in_list = "params.opt in (" + ", ".join(["'adam'", *(f"'x{i}'" for i in range(MAX_VALUES - 1))]) + ")"
    assert names(two_runs, in_list) == ["a"]
    # The most bound variables a filter can make: one key per comparison and every value.
    comparisons = [f"params.lr = {i}" for i in range(MAX_COMPARISONS - 1)]
    values = MAX_VALUES - len(comparisons)
    widest = " or ".join([*comparisons, "tags.stage in (" + ", ".join(["'prod'"] * values) + ")"])
    assert names(two_runs, widest) == ["a"]
    past = "name in (" + ", ".join(["'a'"] * (MAX_VALUES + 1)) + ")"
    refused(past, past.rindex("'a'"), f"more than {MAX_VALUES} values")


def test_order_keys_up_to_the_limit_join_and_sort(two_runs) -> None:  # type: ignore[no-untyped-def]
    keys = [f"params.p{i}" for i in range(MAX_ORDER_KEYS - 3)] + ["params.opt desc", "tags.stage", "metrics.acc"]
    order = ", ".join(keys)
    assert len(keys) == MAX_ORDER_KEYS
    assert names(two_runs, "", order) == ["b", "a"]  # missing keys tie; 'sgd' sorts first descending
    assert names(two_runs, deepest_filter() + " or name = 'b'", order) == ["b", "a"]
    widest = ", ".join(f"params.p{i}" for i in range(MAX_ORDER_KEYS))  # the most ORDER BY terms
    assert names(two_runs, "", widest) == ["b", "a"]  # all tie: newest first
    past = ", ".join([*keys, "name"])
    refused(past, past.rindex("name"), f"more than {MAX_ORDER_KEYS} order keys", order=True)
    refused(", ".join(f"params.p{i}" for i in range(600)), len(", ".join(f"params.p{i}" for i in range(MAX_ORDER_KEYS))) + 2,
            "order keys", order=True)


@pytest.mark.parametrize("field", ["params.big", "params.lr", "metrics.acc", "tags.stage", "duration",
                                   "started_at", "name"])
def test_numbers_at_the_edge_of_the_range_compare_on_every_field(two_runs, field: str) -> None:  # type: ignore[no-untyped-def]
    for literal in (MAX_INTEGER, MIN_INTEGER, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324,
                    "0e-400", "inf", "nan", "true", "null"):
        for op in ("=", "<", ">=", "!="):
            names(two_runs, f"{field} {op} {literal}")
        names(two_runs, f"{field} in ({literal}, 0)")
    for literal, limit in ((MAX_INTEGER + 1, "whole number out of range"),
                           (MIN_INTEGER - 1, "whole number out of range"),
                           ("9" * 400, "whole number out of range"),
                           ("9" * 5000, "whole number out of range"),  # Python converts at most 4,300 digits
                           ("1.8e308", "number out of range"), ("-1e309", "number out of range"),
                           ("1e-400", "too close to zero")):
        refused(f"{field} < {literal}", len(field) + 3, limit)


def test_the_largest_whole_numbers_compare_as_numbers(two_runs) -> None:  # type: ignore[no-untyped-def]
    assert names(two_runs, "params.big > 0") == ["a"]
    assert names(two_runs, f"params.big >= {MAX_INTEGER - 1000}") == ["a"]
    assert names(two_runs, f"params.big <= {MIN_INTEGER + 1000}") == ["b"]
    assert names(two_runs, f"metrics.acc < {MAX_INTEGER} and metrics.acc > {MIN_INTEGER}") == ["a", "b"]


def test_text_up_to_the_limit_compares_and_matches(two_runs) -> None:  # type: ignore[no-untyped-def]
    # Four UTF-8 bytes a character: a LIKE pattern of the longest text stays under SQLite's
    # 50,000-byte pattern limit.
    wide = "\N{GRINNING FACE}" * (MAX_STRING - 1)
    assert names(two_runs, f"name like '{wide}%'") == []
    assert names(two_runs, f"tags.stage not like '{wide}%'") == ["a"]
    assert names(two_runs, f"params.`{'k' * MAX_STRING}` = '{wide}'") == []
    refused(f"name like '{wide}%%'", 10, f"the most is {MAX_STRING:,}")
    refused("tags.stage like 'a\x00%'", 16, "NUL character")
    refused("params.`a\x00b` = 1", 7, "NUL character")
    padded = "name = 'a'" + " " * (MAX_TEXT - 10)
    assert len(padded) == MAX_TEXT and names(two_runs, padded) == ["a"]
    refused(padded + " ", MAX_TEXT, f"the most is {MAX_TEXT:,}")


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_dates_the_clock_cannot_place_are_a_syntax_error(two_runs, utc: None) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FilterSyntaxError, match="out of range; write one between the years 2 and 9998"):
        parse_filter("started_at > '0001-01-01'")
    assert names(two_runs, "started_at > '0002-01-01' and ended_at < '9998-12-31'") == ["a", "b"]


@pytest.mark.parametrize("text", [
    "(" * 50_000,  # 10,000 and more parentheses, never closed
    "(" * 10_000 + "name = 'a'" + ")" * 10_000,
    "not " * 20_000 + "name = 'a'",
    "(" * 40 + "name = 'a'" + ")" * 40 + " and name = '" + "x" * (MAX_TEXT - 200) + "'",
])
def test_hostile_nesting_is_refused_at_the_limit_not_at_the_end(text: str) -> None:
    """The parser stops at the first level past the limit: the error names that place, even
    when something later in the text is wrong too (a quoted text past its limit)."""
    with pytest.raises(FilterLimitExceeded, match=f"more than {MAX_DEPTH} deep") as refusal:
        parse_filter(text)
    assert refusal.value.position <= 4 * (MAX_DEPTH + 1)


def test_an_early_mistake_is_named_before_a_later_bad_character() -> None:
    with pytest.raises(FilterSyntaxError, match="expected a value") as refusal:
        parse_filter("name = and " + "x" * 50_000 + " \x01")
    assert refusal.value.position == 7
