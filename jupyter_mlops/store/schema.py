"""Tables of the SQL store and the migrations that build them.

The schema is versioned from day one. Each migration moves a store one version
up; opening a store applies the missing ones in place, inside one transaction.
A store whose version is newer than :data:`SCHEMA_VERSION` is refused untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
)

metadata = MetaData()

meta = Table(
    "mlops_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("experiment", String(256), nullable=False),
    Column("status", String(16), nullable=False),
    Column("parent_id", String(32)),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("heartbeat_at", Float),
    Column("host", String(256)),
    Column("pid", Integer),
    Column("note", Text, nullable=False, default=""),
    Column("notebook_path", Text),
    Column("source", String(16), nullable=False),
    Column("env", Text),  # JSON
    Column("error", Text),  # JSON: ename, evalue, traceback, cell
    Column("snapshot", String(64)),  # blob digest of the notebook snapshot
    Column("user", String(256)),  # who ran it (schema v5): JUPYTERHUB_USER, else the login name
    # Its place in the palette of run colours (schema v10): the slot after its experiment's
    # previous run, so runs made one after another differ. NULL: the colour of its id's hash.
    Column("colour", Integer),
    Index("ix_runs_experiment_started", "experiment", "started_at"),
    Index("ix_runs_started", "started_at"),
    Index("ix_runs_status", "status"),
    Index("ix_runs_parent", "parent_id", "started_at"),  # the nested view: top-level runs, newest first
)

params = Table(
    "params",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("value", Text, nullable=False),  # JSON, so the type survives
    Column("value_num", Float),  # numbers only, for comparisons
    Column("value_str", Text, nullable=False),  # the string itself, or the JSON text
    Index("ix_params_key_num", "key", "value_num", "run_id"),
    Index("ix_params_key_str", "key", "value_str", "run_id"),
)

latest_metrics = Table(
    "latest_metrics",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("value", Float, nullable=True),  # NULL stands for NaN (PostgreSQL and SQLite differ)
    Column("value_repr", String(8)),  # "nan", "inf", "-inf" when not finite
    Column("step", BigInteger, nullable=False),  # steps are int64 (see metric_chunks)
    Column("timestamp", Float, nullable=False),
    Index("ix_latest_metrics_key_value", "key", "value", "run_id"),
)

# Metric histories are stored as chunks of packed little-endian arrays: int64 steps,
# float64 values, float64 timestamps. One row holds many points, which makes logging a
# million points a handful of inserts and reading them back a few decodes.
metric_chunks = Table(
    "metric_chunks",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("min_step", BigInteger, nullable=False),
    Column("max_step", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_tags_key_value", "key", "value", "run_id"),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
)

outputs = Table(
    "outputs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("name", String(256), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)

executed_cells = Table(
    "executed_cells",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("execution_count", Integer),
    Column("source_hash", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("out_of_order", Boolean, nullable=False),
    Column("stale", Boolean, nullable=False),
)

# A run whose execution record begins with another run's (the kernel's earlier run): its own
# rows in executed_cells are the cells from base_length on; the first base_length cells are the
# base run's. A base run holds its whole record itself (no row here), so reading is one hop.
record_bases = Table(
    "record_bases",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("base_run_id", String(32), nullable=False, index=True),
    Column("base_length", Integer, nullable=False),
)

# Notebook snapshots, by content: most are a few kilobytes, and a row in the same transaction
# as the run costs far less than a file of its own. (Artifacts stay files in the blob folder.)
snapshot_blobs = Table(
    "snapshot_blobs",
    metadata,
    Column("digest", String(64), primary_key=True),  # sha256 of the notebook's bytes
    Column("size", Integer, nullable=False),  # bytes before compression
    Column("data", LargeBinary, nullable=False),  # zlib-compressed
)

# The model registry (schema v4). A version names the run and artifact it came from and keeps
# the artifact's digest, so its bytes outlive a forced delete of the run. Every alias move is
# a row of model_alias_history (from/to NULL: the alias was created/deleted).
models = Table(
    "models",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("user", String(256)),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("model", String(256), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("run_id", String(32)),
    Column("artifact", String(512), nullable=False),
    Column("kind", String(16), nullable=False),  # "file" or "directory" (a deterministic tar)
    Column("digest", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("user", String(256)),
    Column("tags", Text, nullable=False, default="{}"),  # JSON object of strings
    Index("ux_model_versions_digest", "model", "digest", unique=True),
    Index("ix_model_versions_run", "run_id"),
)

model_aliases = Table(
    "model_aliases",
    metadata,
    Column("model", String(256), primary_key=True),
    Column("alias", String(256), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("user", String(256)),
)

model_alias_history = Table(
    "model_alias_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", String(256), nullable=False),
    Column("alias", String(256), nullable=False),
    Column("from_version", Integer),
    Column("to_version", Integer),
    Column("at", Float, nullable=False),
    Column("user", String(256)),
    Index("ix_model_alias_history", "model", "alias", "at"),
)

# Lineage (schema v5): the files each run read and wrote, and a cache of file digests by
# (path, size, mtime) that every process of the store shares, so unchanged files are hashed once.
run_files = Table(
    "run_files",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("role", String(8), primary_key=True),  # "input" or "output"
    Column("path", Text, primary_key=True),  # relative to the project root when inside it
    Column("digest", String(80), nullable=False),  # "sha256:<hex>"
    Column("size", BigInteger),
    Column("modified_at", Float),
    Column("name", String(256)),
    Column("context", String(256)),
    Column("details", Text),  # JSON: a DataFrame's rows and columns
    Column("recorded_at", Float, nullable=False),
    Index("ix_run_files_path", "path", "role"),
    Index("ix_run_files_digest", "digest"),
)

file_digests = Table(
    "file_digests",
    metadata,
    Column("path", Text, primary_key=True),  # absolute
    Column("size", BigInteger, primary_key=True),
    Column("mtime_ns", BigInteger, primary_key=True),
    Column("digest", String(80), nullable=False),
    Column("hashed_at", Float, nullable=False),
)

RUN_TABLES = (params, latest_metrics, metric_chunks, tags, artifacts, outputs, executed_cells, record_bases,
              run_files)


def _create(*tables: Table) -> Callable[[Connection], None]:
    def migrate(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return migrate


def _add_columns(conn: Connection, table: Table, *names: str) -> None:
    """ALTER TABLE ... ADD COLUMN for columns a store made by an older version lacks (a new
    store already has them: its first step creates the table as it is now)."""
    present = {column["name"] for column in inspect(conn).get_columns(table.name)}
    quote = conn.dialect.identifier_preparer.quote
    for name in names:
        if name not in present:
            column = table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")


def _lineage(conn: Connection) -> None:
    _add_columns(conn, runs, "user")
    _create(run_files, file_digests)(conn)


def _int64_steps(conn: Connection) -> None:
    """Steps are int64 everywhere; PostgreSQL's INTEGER columns of versions 1-3 held 32 bits
    (SQLite's INTEGER always held 64)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "ALTER TABLE metric_chunks ALTER COLUMN min_step TYPE BIGINT, ALTER COLUMN max_step TYPE BIGINT"
        )
        conn.exec_driver_sql("ALTER TABLE latest_metrics ALTER COLUMN step TYPE BIGINT")


def _long_text_indexes(conn: Connection) -> None:
    """A PostgreSQL btree entry holds at most about 2,700 bytes, so indexes over whole param and
    tag texts refused long values (a 10 KB param could not be stored). Index their first 200
    characters instead: the key still leads, which is how filters use these indexes. SQLite
    has no such limit and keeps its indexes."""
    if conn.dialect.name != "postgresql":
        return
    for index, table, column in (("ix_params_key_str", "params", "value_str"),
                                 ("ix_tags_key_value", "tags", "value")):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
        conn.exec_driver_sql(f"CREATE INDEX {index} ON {table} (key, left({column}, 200))")


def _covering_indexes(conn: Connection) -> None:
    """A filter finds its runs as ``run_id IN (SELECT run_id ... WHERE key = ? AND value ...)``:
    with ``run_id`` in the (key, value) indexes that is read from the index alone, instead of
    one table lookup per matching row (3x faster over 100,000 runs on SQLite). PostgreSQL
    keeps its text indexes over the first 200 characters (version 7), with ``run_id`` added."""
    postgres = conn.dialect.name == "postgresql"
    text = "left({}, 200)" if postgres else "{}"
    for index, table, column in (("ix_params_key_num", "params", "value_num"),
                                 ("ix_params_key_str", "params", text.format("value_str")),
                                 ("ix_latest_metrics_key_value", "latest_metrics", "value"),
                                 ("ix_tags_key_value", "tags", text.format("value"))):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
        conn.exec_driver_sql(f"CREATE INDEX {index} ON {table} (key, {column}, run_id)")
    # The nested view lists `parent_id IS NULL` newest first: in (parent_id, started_at) order
    # that is read from the index, instead of sorting the 5,000 top-level runs of 100,000 (9 ms).
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_runs_parent")
    conn.exec_driver_sql("CREATE INDEX ix_runs_parent ON runs (parent_id, started_at)")


def _colour_slots(conn: Connection) -> None:
    """Each run gets a colour slot: an experiment's runs take 0, 1, 2, ... in the order they
    started (then by id), round the palette. The numbering goes through a temporary table
    keyed by run id, since ``UPDATE ... FROM`` needs SQLite 3.33 and window functions only
    3.25. 100,000 runs: 0.6 s; 3 s when each holds a 4 KB environment, nearly all of it SQLite
    rewriting the rows, as any UPDATE of a column does."""
    from ..render.palette import RUN_COLOURS

    _add_columns(conn, runs, "colour")
    slots = Table("colour_slots", MetaData(), Column("id", String(32), primary_key=True),
                  Column("slot", Integer, nullable=False), prefixes=["TEMPORARY"])
    slots.create(conn)
    number = func.row_number().over(partition_by=runs.c.experiment, order_by=(runs.c.started_at, runs.c.id))
    conn.execute(slots.insert().from_select(["id", "slot"], select(runs.c.id, (number - 1) % len(RUN_COLOURS))))
    conn.execute(runs.update().values(colour=select(slots.c.slot).where(slots.c.id == runs.c.id).scalar_subquery()))
    slots.drop(conn)


# Version N is reached by applying MIGRATIONS[N - 1]. Append only; never edit a released step.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create(meta, runs, params, latest_metrics, metric_chunks, tags, artifacts),
    _create(outputs, executed_cells),
    _create(snapshot_blobs),
    _create(models, model_versions, model_aliases, model_alias_history),
    _lineage,
    _int64_steps,
    _long_text_indexes,
    _create(record_bases),
    _covering_indexes,
    _colour_slots,
]
SCHEMA_VERSION = len(MIGRATIONS)


class UnreadableVersion(ValueError):
    """The stored schema version is not a whole number ≥ 1."""


def read_version(conn: Connection) -> int:
    """The schema version of the store, 0 for an empty database."""
    if not conn.dialect.has_table(conn, meta.name):
        return 0
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    if row is None:
        return 0
    text = str(row[0]).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise UnreadableVersion(f"its schema_version is {row[0]!r}, not a version number")
    return int(text)


def write_version(conn: Connection, version: int) -> None:
    updated = conn.execute(
        meta.update().where(meta.c.key == "schema_version").values(value=str(version))
    ).rowcount
    if not updated:
        conn.execute(meta.insert().values(key="schema_version", value=str(version)))
