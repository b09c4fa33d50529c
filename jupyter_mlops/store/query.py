"""Turn parsed filters and order keys into SQLAlchemy Core expressions.

Every value reaches the database as a bound parameter; field names are checked by
the parser and map onto fixed columns.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from . import schema as s
from .filter import ATTRIBUTES, And, Comparison, Field, Node, Not, Or, OrderKey
from .filter_sql import (
    Test,
    column_has,
    comparison,
    number_test,
    param_test,
    row_condition,
    text_test,
)

_KEYED = {"params": s.params, "metrics": s.latest_metrics, "tags": s.tags}


def param_columns(value: Any) -> tuple[str, float | None, str]:
    """The (json, number, text) forms a param value is stored as."""
    text = json.dumps(value, sort_keys=True, allow_nan=True)
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # a whole number past 1.8e308: kept, compared only as text
            number = None
    if number is not None and math.isnan(number):
        number = None
    return text, number, value if isinstance(value, str) else text


def compile_filter(node: Node | None, run_id: Any = None) -> ColumnElement[bool]:
    """The filter as a condition on ``runs``; with ``run_id`` (a column of a driving
    subquery, see :func:`_compile_and`) one on that column, for keyed comparisons only."""
    if node is None:
        return true()
    if isinstance(node, And):
        return _compile_and(node.parts) if run_id is None else and_(*(compile_filter(p, run_id) for p in node.parts))
    if isinstance(node, Or):
        return or_(*(compile_filter(p, run_id) for p in node.parts))
    if isinstance(node, Not):
        return not_(compile_filter(node.part, run_id))
    return _compile_comparison(node, run_id)


def _keyed_only(node: Node) -> bool:
    if isinstance(node, (And, Or)):
        return all(_keyed_only(p) for p in node.parts)
    if isinstance(node, Not):
        return _keyed_only(node.part)
    return node.field.kind != "attribute"


def _compile_and(parts: tuple[Node, ...]) -> ColumnElement[bool]:
    """``a and b and c`` over params/metrics/tags: the runs ``a`` finds through its
    (key, value) index, each then checked for ``b`` and ``c`` by primary key, instead of one
    list of runs per comparison intersected (counting 13,907 of 100,000 runs on SQLite: 168 ms
    as lists, 117 ms driven). Comparisons on run attributes stay outside; an ``and`` with no
    positive keyed comparison is one list per comparison."""
    driver = next((p for p in parts if isinstance(p, Comparison) and p.field.kind != "attribute"
                   and _drives(p)), None)
    if driver is None:
        return and_(*(compile_filter(p) for p in parts))
    inside = [p for p in parts if p is not driver and _keyed_only(p)]
    outside = [p for p in parts if p is not driver and not _keyed_only(p)]
    table = _KEYED[driver.field.kind].alias("drive")
    row = row_condition(driver.op, driver.value, _value_test(table, driver.field))
    found = select(table.c.run_id).where(table.c.key == driver.field.name, row,
                                         *(compile_filter(p, table.c.run_id) for p in inside))
    return and_(s.runs.c.id.in_(found), *(compile_filter(p) for p in outside))


def _drives(node: Comparison) -> bool:
    """Whether the comparison holds only for runs that have its key (so the runs it finds in
    its (key, value) index can drive an ``and``): not ``is null``, ``= null``,
    ``in (null, ...)`` or ``< null``, which also or only match runs lacking the key."""
    return row_condition(node.op, node.value, _value_test(_KEYED[node.field.kind], node.field)) is not None


def _compile_comparison(node: Comparison, run_id: Any = None) -> ColumnElement[bool]:
    """One comparison as a condition on ``runs`` (or, with ``run_id``, on the runs of a
    driving subquery) that is true or false, never NULL, so that ``not`` is the complement
    (the rules are in :mod:`.filter_sql`)."""
    field, op, value = node.field, node.op, node.value
    if field.kind == "attribute":
        column = _attribute_column(field.name)
        nullable = getattr(column, "nullable", True)
        if run_id is not None:
            # Tested on given runs (sorted_walk): COALESCE(c, c) is c, but no index of c
            # serves it, so the runs are found by primary key, not by e.g. ix_runs_parent,
            # whose `parent_id IS NULL` SQLite guesses to match 10 runs (100 ids tested per
            # statement: 1 ms by key, 45 ms through 5,000 parents).
            column = func.coalesce(column, column)
        kind = ATTRIBUTES[field.name]
        has = column_has(column, nullable=nullable)
        test = text_test(column) if kind == "text" else number_test(column, false(), kind == "time", nulls=False)
        return comparison(op, value, has, test)
    table = _KEYED[field.kind]
    if run_id is not None:  # inside a driving subquery: probed by primary key
        probe = table.alias()

        def probed(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
            found = exists().where(probe.c.run_id == run_id, probe.c.key == field.name)
            return found if condition is None else found.where(condition)

        return comparison(op, value, probed, _value_test(probe, field))

    # ``runs.id IN (SELECT run_id FROM params WHERE key = ? AND ...)``: the database finds
    # the matching runs once through the (key, value) index, instead of probing a correlated
    # EXISTS once per run (2.1 s for a filtered page of 100,000 runs on SQLite). Neither side
    # is ever NULL, so IN and NOT IN are exactly EXISTS and NOT EXISTS: still two-valued.
    def has(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        with_key = select(table.c.run_id).where(table.c.key == field.name)
        return s.runs.c.id.in_(with_key if condition is None else with_key.where(condition))

    return comparison(op, value, has, _value_test(table, field))


def _value_test(table: Any, field: Field) -> Test:
    """The value comparison on the columns of ``table`` (params, latest_metrics or tags, or an
    alias of one), for a row of ``field``'s key."""
    if field.kind == "metrics":  # value is NULL for NaN
        return number_test(table.c.value, table.c.value.is_(None))
    if field.kind == "tags":
        return text_test(table.c.value)
    return param_test(table.c.value_num, table.c.value, table.c.value_str)


def _attribute_column(name: str) -> Any:
    if name == "duration":
        return s.runs.c.ended_at - s.runs.c.started_at
    return s.runs.c[name]


def apply_order(query: Select[Any], keys: list[OrderKey]) -> Select[Any]:
    """Add ORDER BY clauses (outer-joining params/metrics/tags as needed); NULLs go last."""
    clauses: list[Any] = []
    for number, key in enumerate(keys):
        field = key.field
        if field.kind == "attribute":
            columns = [_attribute_column(field.name)]
        else:
            table = _KEYED[field.kind]
            alias = table.alias(f"order_{number}")
            query = query.outerjoin(alias, and_(alias.c.run_id == s.runs.c.id, alias.c.key == field.name))
            if field.kind == "params":
                columns = [alias.c.value_num, alias.c.value_str]
            else:
                columns = [alias.c.value]
        for column in columns:
            clauses.append(column.is_(None))  # false sorts before true: NULLs last
            clauses.append(column.desc() if key.descending else column.asc())
    clauses.append(s.runs.c.id.desc())
    return query.order_by(*clauses)


def plan_searches(conn: Connection) -> None:
    """Have PostgreSQL join in the order the query is written, for this transaction.

    Every comparison on params, metrics or tags is a ``runs.id IN (subquery)``, which
    PostgreSQL turns into a semi-join and then searches the orders of all of them: planning
    took 1.2 s for 10 ANDed comparisons over 10,000 runs and 17 s for 30 on a busy 2-core
    machine; joined as written it took 20 ms and 0.4 s, and the query ran as fast. SQLite
    plans each subquery on its own.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL join_collapse_limit = 1")


def runs_query(where: ColumnElement[bool], experiment: str | None) -> Select[Any]:
    query = select(s.runs).where(where)
    if experiment is not None:
        query = query.where(s.runs.c.experiment == experiment)
    return query

