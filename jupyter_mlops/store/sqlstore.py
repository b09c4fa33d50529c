"""The run store: SQLAlchemy Core over SQLite (embedded) or PostgreSQL (team server).

One class serves both databases. SQLite runs in WAL mode with a busy timeout and takes
its write lock up front (``BEGIN IMMEDIATE``), so many processes can log into one store
without "database is locked" reaching the user.

Its parts, one idea each: :mod:`.connection` (engines, transactions, schema), :mod:`.run_writes`,
:mod:`.run_reads`, :mod:`.run_contents` (artifacts, snapshots) and :mod:`.records` (execution
records); the write path's statements are in :mod:`.statements`, its batches in :mod:`.batches`.
"""

from __future__ import annotations

from .batches import NewRun, WriteBatch
from .connection import StoreConnection
from .entities import RUN_STATUSES
from .liveness import HEARTBEAT_TIMEOUT, HOST
from .records import ExecutionRecords
from .run_contents import RunContents
from .run_reads import RunReads
from .run_writes import RunWrites
from .validation import MAX_KEY_LENGTH, check_tag, check_text, validate_name


class Store(RunReads, RunContents, ExecutionRecords, RunWrites, StoreConnection):
    """A run store at one location: a directory (SQLite + blobs) or a database URL."""


__all__ = ["HEARTBEAT_TIMEOUT", "HOST", "MAX_KEY_LENGTH", "RUN_STATUSES", "NewRun", "Store", "WriteBatch",
           "check_tag", "check_text", "validate_name"]
