"""The SQL text of the store's write path, built once per driver parameter style.

Building a SQLAlchemy Core statement and its cache key costs more than SQLite takes to run
it (a WAL commit is about 0.02 ms), and a run's lifecycle issues a handful of them. So the
statements every run writes are plain SQL, the same for SQLite and PostgreSQL but for the
parameter marker, run on the driver's own cursor with tuples (executemany for many rows):
SQLAlchemy's result bookkeeping alone costs as much as the statement. Driver errors are
wrapped as SQLAlchemy wraps them, so the store translates them as any other. Every
identifier is quoted: ``user`` is a reserved word in PostgreSQL.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from . import schema as s

# Written with "?" markers; the driver's own marker replaces them (see ``sql``).
_TEXT = {
    "run_exists": 'SELECT "id" FROM "runs" WHERE "id" = ?',
    # The next chunk of a key of a run: numbered after its last one (0 for the first).
    "append_chunk": ('INSERT INTO "metric_chunks" ("run_id", "key", "seq", "count", "min_step", "max_step", "data") '
                     'SELECT ?, ?, COALESCE(MAX("seq"), -1) + 1, ?, ?, ?, ? FROM "metric_chunks" '
                     'WHERE "run_id" = ? AND "key" = ?'),
    # A key's latest value: the last point of its highest step, kept unless an older one comes.
    "upsert_latest": ('INSERT INTO "latest_metrics" ("run_id", "key", "value", "value_repr", "step", "timestamp") '
                      'VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ("run_id", "key") DO UPDATE SET '
                      '"value" = excluded."value", "value_repr" = excluded."value_repr", '
                      '"step" = excluded."step", "timestamp" = excluded."timestamp" '
                      'WHERE excluded."step" > "latest_metrics"."step" OR (excluded."step" = "latest_metrics"."step" '
                      'AND excluded."timestamp" >= "latest_metrics"."timestamp")'),
    "upsert_tag": ('INSERT INTO "tags" ("run_id", "key", "value") VALUES (?, ?, ?) '
                   'ON CONFLICT ("run_id", "key") DO UPDATE SET "value" = excluded."value"'),
    "end_run": 'UPDATE "runs" SET "status" = ?, "ended_at" = ? WHERE "id" = ?',
    "end_run_with_error": 'UPDATE "runs" SET "status" = ?, "ended_at" = ?, "error" = ? WHERE "id" = ?',
    "set_snapshot": 'UPDATE "runs" SET "snapshot" = ? WHERE "id" = ?',
    "delete_record": 'DELETE FROM "executed_cells" WHERE "run_id" = ?',
    "delete_record_base": 'DELETE FROM "record_bases" WHERE "run_id" = ?',
    # A run another run's record is based on stays until this transaction ends (delete_run waits).
    "run_exists_shared": 'SELECT "id" FROM "runs" WHERE "id" = ? FOR SHARE',
    # Writers of one run (the runner and its kernel) take turns choosing the next chunk numbers.
    "run_lock": "SELECT pg_advisory_xact_lock(hashtext(?))",
}


def _marker(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"  # SQLite's driver; psycopg's (format, pyformat)


@functools.cache
def _sql_for(paramstyle: str, name: str) -> str:
    return _TEXT[name].replace("?", _marker(paramstyle))


def sql(conn: Connection, name: str) -> str:
    """The statement ``name`` of :data:`_TEXT` in this connection's parameter style."""
    return _sql_for(conn.dialect.paramstyle, name)


@functools.cache
def _insert_for(paramstyle: str, table_name: str) -> str:
    columns = ", ".join(f'"{c.name}"' for c in s.metadata.tables[table_name].columns)
    markers = ", ".join([_marker(paramstyle)] * len(s.metadata.tables[table_name].columns))
    return f'INSERT INTO "{table_name}" ({columns}) VALUES ({markers})'


@functools.cache
def _run_columns() -> tuple[str, ...]:
    """The columns of a new run's INSERT but its colour, which the statement chooses."""
    return tuple(name for name in column_names("runs") if name != "colour")


@functools.cache
def _insert_run_for(paramstyle: str) -> str:
    from ..render.palette import RUN_COLOURS

    marker = _marker(paramstyle)
    columns = ", ".join(f'"{name}"' for name in _run_columns())
    markers = ", ".join([marker] * len(_run_columns()))
    # The slot after the newest run's of the experiment: one probe of ix_runs_experiment_started
    # (of runs started at the same instant, the index's last). Two processes creating runs at
    # once may both read the same newest run and share a colour: colour is only cosmetic, so
    # no lock is taken for it.
    newest = (f'SELECT "colour" FROM "runs" WHERE "experiment" = {marker} '
              'ORDER BY "started_at" DESC LIMIT 1')
    modulo = "%" if marker == "?" else "%%"  # psycopg reads a lone % as the start of a marker
    return (f'INSERT INTO "runs" ({columns}, "colour") VALUES ({markers}, '
            f'COALESCE(({newest}) + 1, 0) {modulo} {len(RUN_COLOURS)})')


def insert_run(conn: Connection) -> str:
    """The INSERT of a new run, for the tuple of :func:`run_values`. Its colour slot (see
    :mod:`..render.palette`) is chosen in the same statement: the one after its experiment's
    newest run, 0 for the first, round the palette."""
    return _insert_run_for(conn.dialect.paramstyle)


def run_values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The values of a new run's ``row`` for :func:`insert_run` (None where absent)."""
    return (*(row.get(name) for name in _run_columns()), row["experiment"])


def insert_sql(conn: Connection, table_name: str) -> str:
    """An INSERT of every column of the table, in table order, for tuples."""
    return _insert_for(conn.dialect.paramstyle, table_name)


@functools.cache
def column_names(table_name: str) -> tuple[str, ...]:
    """The table's columns in order: the order of an :func:`insert_sql` tuple."""
    return tuple(c.name for c in s.metadata.tables[table_name].columns)


def params_of_keys(conn: Connection, count: int) -> str:
    """SELECT the stored values of ``count`` params of one run (first marker: the run)."""
    return _params_of_keys(conn.dialect.paramstyle, count)


@functools.lru_cache(maxsize=64)
def _params_of_keys(paramstyle: str, count: int) -> str:
    marker = _marker(paramstyle)
    return (f'SELECT "key", "value" FROM "params" WHERE "run_id" = {marker} '
            f'AND "key" IN ({", ".join([marker] * count)})')


def execute(conn: Connection, statement: str, parameters: Sequence[Any] = ()) -> Any:
    """Run ``statement`` in ``conn``'s transaction on a driver cursor; the cursor, to fetch from."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(statement, parameters)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, statement, parameters, exc) from exc
    return cursor


def execute_many(conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``statement`` once per row of ``rows`` (the driver's executemany)."""
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(statement, rows)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, statement, rows, exc) from exc
    finally:
        cursor.close()


def _wrapped(conn: Connection, statement: str, parameters: Any, exc: Exception) -> BaseException:
    """The SQLAlchemy error (OperationalError, IntegrityError, ...) of a driver's error."""
    return DBAPIError.instance(statement, parameters, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)
