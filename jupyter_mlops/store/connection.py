"""Opening a store: its engines, its transactions (SQLite's write lock taken up front), the
translation of database errors into the package's own, and the schema check on open.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError, OperationalError

from .. import config
from ..errors import (
    CorruptStore,
    InvalidInput,
    RunNotFound,
    SchemaTooNew,
    StoreError,
    StoreLocationError,
    StoreReadOnly,
    StoreUnavailable,
)
from . import schema as s
from .blobs import BlobStore
from .engines import server_engine, server_problem, sqlite_engines
from .integrity import check_blob_folder, check_sqlite_file, is_corruption, quick_check_problems
from .statements import execute, sql

if TYPE_CHECKING:
    from .files import FileRecords
    from .lineage import Lineage
    from .registry import ModelRegistry


class StoreConnection:
    """A store's location, engines, transactions and schema: the part of :class:`~.sqlstore.Store`
    every other part builds on."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.read_only = False
        if config.is_url(location):
            self._engine = self._read_engine = server_engine(location)
            self.is_sqlite = False
            blobs = os.environ.get(config.BLOBS_ENV)
            self._blob_root = Path(blobs) if blobs else None
            self._database: Path | None = None
        else:
            path = Path(location)
            if path.exists() and not path.is_dir():
                raise StoreLocationError(
                    f"store location {path} is a file, not a directory; point --store or "
                    f"{config.STORE_ENV} at a directory (it is created if missing)"
                )
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreReadOnly(f"cannot create the store directory {path}: {exc}") from exc
            database = self._database = path / "mlops.db"
            check_sqlite_file(database)
            # A store on read-only media can still be browsed: open it immutable, refuse writes.
            self.read_only = database.exists() and not os.access(path, os.W_OK)
            self._engine, self._read_engine = sqlite_engines(database, read_only=self.read_only)
            self.is_sqlite = True
            self._blob_root = path / "blobs"
        check_blob_folder(self._blob_root)
        self._blobs = BlobStore(self._blob_root) if self._blob_root else None
        self._checked = not self.is_sqlite  # whether the file passed SQLite's integrity check
        self._known_snapshots: set[str] = set()  # digests of snapshots this store is known to hold
        self._ensure_schema()

    def __repr__(self) -> str:
        return f"<Store {self.location}>"

    # --- connections -------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE, waiting on the busy timeout)."""
        if self.read_only:
            raise StoreReadOnly(self._read_only_message("the folder is read-only"))
        if not self._checked:
            self._check_integrity()
        with self._translate_errors(), self._engine.begin() as conn:
            yield conn

    def _check_integrity(self) -> None:
        """Before this process first writes: a damaged file is refused, never written to."""
        with self._read() as conn:
            problem = quick_check_problems(conn.exec_driver_sql("PRAGMA quick_check(1)").all())
        if problem is not None:
            raise CorruptStore(os.fspath(self._database), f"SQLite's integrity check says: {problem}")
        self._checked = True

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._translate_errors(), self._read_engine.begin() as conn:
            yield conn

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except UnicodeEncodeError as exc:  # text that slipped past check_text: nothing was written
            raise InvalidInput(f"text that cannot be stored (a lone surrogate?): {exc}") from None
        except DatabaseError as exc:
            if self.is_sqlite and is_corruption(str(exc.orig)):
                raise CorruptStore(os.fspath(self._database), f"SQLite says: {exc.orig}") from None
            if not isinstance(exc, OperationalError):
                raise
            message = str(exc.orig).lower()
            if "readonly" in message or "read-only" in message or "unable to open" in message:
                raise StoreReadOnly(self._read_only_message(str(exc.orig))) from exc
            if not self.is_sqlite:
                raise StoreUnavailable(server_problem(self.location, exc)) from exc
            raise StoreError(f"database error in the store at {self.location}: {exc.orig}") from exc

    def _read_only_message(self, reason: str) -> str:
        return (
            f"the store at {self.location} cannot be written ({reason}); make it writable or point "
            f"--store / {config.STORE_ENV} at a writable directory"
        )

    @functools.cached_property
    def models(self) -> ModelRegistry:
        """The model registry of this store."""
        from .registry import ModelRegistry

        return ModelRegistry(self)

    @functools.cached_property
    def files(self) -> FileRecords:
        """The files runs read and wrote, and the digest cache (lineage)."""
        from .files import FileRecords

        return FileRecords(self)

    def lineage(self, run_id: str | None = None, path: str | None = None) -> Lineage:
        """Runs, files and model versions linked to a run or a file, upstream and downstream."""
        from .lineage import build_lineage

        return build_lineage(self, run_id=run_id, path=path)

    @property
    def blobs(self) -> BlobStore:
        if self._blobs is None:
            raise StoreLocationError(
                f"this store ({self.location}) keeps runs in a database server; set "
                f"{config.BLOBS_ENV} to a directory every machine can reach for artifacts"
            )
        return self._blobs

    def _ensure_schema(self) -> None:
        try:
            with self._read() as conn:
                version = s.read_version(conn)
        except s.UnreadableVersion as exc:
            raise CorruptStore(os.fspath(self._database or self.location), str(exc)) from None
        if version == s.SCHEMA_VERSION:
            return
        self._check_not_newer(version)
        if self.read_only:
            raise StoreReadOnly(self._read_only_message(
                f"it has schema version {version} and needs upgrading to {s.SCHEMA_VERSION}"))
        with self._write() as conn:
            if not self.is_sqlite:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7209412)")
            version = s.read_version(conn)  # another process may have migrated meanwhile
            self._check_not_newer(version)
            for step in s.MIGRATIONS[version:]:
                step(conn)
            if version != s.SCHEMA_VERSION:
                s.write_version(conn, s.SCHEMA_VERSION)

    def _check_not_newer(self, version: int) -> None:
        if version > s.SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the store at {self.location} has schema version {version}, written by a newer "
                f"jupyter-mlops; this one reads up to version {s.SCHEMA_VERSION}. Upgrade with "
                "`pip install -U jupyter-mlops`; the store was left untouched."
            )

    def close(self) -> None:
        self._engine.dispose()
        if self._read_engine is not self._engine:
            self._read_engine.dispose()

    # --- writing runs ------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise :class:`StoreReadOnly` now if writes are sure to fail (a read-only store)."""
        if self.read_only:
            raise StoreReadOnly(self._read_only_message("the folder is read-only"))

    def _require_run(self, conn: Connection, run_id: str) -> None:
        if execute(conn, sql(conn, "run_exists"), (run_id,)).fetchone() is None:
            raise RunNotFound(run_id, self.location)

    def _dialect_insert(self, table: Any) -> Any:
        """The database's own INSERT construct, which has ON CONFLICT clauses."""
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        return insert(table)
