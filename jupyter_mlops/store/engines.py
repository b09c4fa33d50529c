"""SQLAlchemy engines of the store: SQLite files (WAL, busy timeout, BEGIN IMMEDIATE) and
PostgreSQL servers, and what to say when a server cannot be used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from .. import config
from ..errors import StoreLocationError


def sqlite_engines(path: Path, read_only: bool = False) -> tuple[Engine, Engine]:
    url = f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true" if read_only else f"sqlite:///{path}"

    def make(begin: str) -> Engine:
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA busy_timeout = 60000")
                if not read_only:
                    cursor.execute("PRAGMA journal_mode = WAL")
                    cursor.execute("PRAGMA synchronous = NORMAL")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql(begin)

        return engine

    return make("BEGIN IMMEDIATE"), make("BEGIN")


def server_engine(url: str) -> Engine:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("postgresql+"):
        raise StoreLocationError(
            f"unsupported store URL {url!r}: use a directory or a postgresql://user@host:port/db URL"
        )
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=8)
    except ImportError as exc:
        raise StoreLocationError(
            f"the PostgreSQL driver is missing ({exc}); install it with `pip install 'jupyter-mlops[postgres]'`"
        ) from exc


def server_problem(url: str, exc: DBAPIError) -> str:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    except Exception:  # noqa: BLE001 - only for the message
        where = "the database server"
    first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    return (
        f"cannot use the database server at {where}: {first_line}. Check that it is running, "
        f"and the user, password and database in {config.STORE_ENV}"
    )
