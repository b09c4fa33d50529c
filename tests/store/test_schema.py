from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from jupyter_mlops.errors import SchemaTooNew
from jupyter_mlops.store import schema
from jupyter_mlops.store.blobs import BlobStore
from jupyter_mlops.store.sqlstore import Store


def test_new_store_is_created_in_wal_mode_at_the_current_version(store_dir: Path) -> None:
    Store(os.fspath(store_dir))
    db = sqlite3.connect(store_dir / "mlops.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0] == str(
        schema.SCHEMA_VERSION
    )


def test_an_old_store_is_upgraded_in_place_keeping_its_runs(store_dir: Path) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        schema.MIGRATIONS[0](conn)
        schema.write_version(conn, 1)
        conn.execute(schema.runs.insert().values(
            id="0000000000aaaaa", name="old", experiment="e", status="finished", started_at=1.0,
            ended_at=2.0, note="", source="api"))
    engine.dispose()

    store = Store(os.fspath(store_dir))
    run = store.get_run("0000000000aaaaa")
    assert run.name == "old"
    store.set_outputs(run.id, {"path": "x"})  # a table added by a later version
    assert store.get_run(run.id).outputs == {"path": "x"}
    db = sqlite3.connect(store_dir / "mlops.db")
    assert db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0] == str(
        schema.SCHEMA_VERSION
    )


def test_a_snapshot_kept_as_a_file_by_version_2_is_still_read(store_dir: Path) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    notebook = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    digest = BlobStore(store_dir / "blobs").put(notebook)
    with engine.begin() as conn:
        schema.MIGRATIONS[0](conn)
        schema.MIGRATIONS[1](conn)
        schema.write_version(conn, 2)
        conn.execute(schema.runs.insert().values(
            id="0000000000bbbbb", name="old", experiment="e", status="finished", started_at=1.0,
            ended_at=2.0, note="", source="cell", snapshot=digest))
    engine.dispose()

    store = Store(os.fspath(store_dir))
    assert store.snapshot_bytes("0000000000bbbbb") == notebook
    assert store.has_snapshot(digest) and not store.has_snapshot("0" * 64)
    store.set_snapshot("0000000000bbbbb", notebook + b" ")  # new snapshots go to the database
    assert store.snapshot_bytes("0000000000bbbbb") == notebook + b" "


def test_snapshots_are_rows_shared_by_content(store_dir: Path) -> None:
    store = Store(os.fspath(store_dir))
    for run_id in ("0000000000ccccc", "0000000000ddddd"):
        store.create_run(run_id, name=run_id, experiment="e")
        store.set_snapshot(run_id, b'{"cells": []}')
    db = sqlite3.connect(store_dir / "mlops.db")
    assert db.execute("SELECT count(*), sum(size) FROM snapshot_blobs").fetchone() == (1, 13)
    assert not any(path.is_file() for path in (store_dir / "blobs").rglob("*"))  # no file per snapshot
    assert store.snapshot_bytes("0000000000ddddd") == b'{"cells": []}'
    assert store.snapshot_digest("0000000000ddddd") == hashlib.sha256(b'{"cells": []}').hexdigest()
    store.create_run("0000000000eeeee", name="bare", experiment="e")
    assert store.snapshot_digest("0000000000eeeee") is None and store.snapshot_bytes("0000000000eeeee") is None


def test_a_store_from_a_newer_version_is_refused_and_left_untouched(store_dir: Path) -> None:
    Store(os.fspath(store_dir)).close()
    db = sqlite3.connect(store_dir / "mlops.db")
    db.execute("UPDATE mlops_meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    before = (store_dir / "mlops.db").read_bytes()
    with pytest.raises(SchemaTooNew, match=r"schema version 99.*pip install -U jupyter-mlops"):
        Store(os.fspath(store_dir))
    assert (store_dir / "mlops.db").read_bytes() == before


def test_postgres_store_upgrades_and_refuses_like_sqlite(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        schema.MIGRATIONS[0](conn)
        schema.write_version(conn, 1)
        conn.execute(schema.runs.insert().values(
            id="0000000000bbbbb", name="old", experiment="e", status="finished", started_at=1.0,
            ended_at=2.0, note="", source="api"))
    store = Store(url)
    store.set_outputs("0000000000bbbbb", {"k": 1})
    assert store.get_run("0000000000bbbbb").outputs == {"k": 1}
    store.close()
    with engine.begin() as conn:
        schema.write_version(conn, 99)
    with pytest.raises(SchemaTooNew, match="schema version 99"):
        Store(url)
    with engine.begin() as conn:
        assert schema.read_version(conn) == 99
    engine.dispose()


def _version_7_store(conn) -> None:  # type: ignore[no-untyped-def]
    for migrate in schema.MIGRATIONS[:7]:
        migrate(conn)
    schema.write_version(conn, 7)
    conn.execute(schema.runs.insert().values(
        id="0000000000ccccc", name="old", experiment="e", status="finished", started_at=1.0,
        ended_at=2.0, note="", source="api"))
    conn.execute(schema.params.insert(), [
        {"run_id": "0000000000ccccc", "key": "opt", "value": '"adam"', "value_num": None, "value_str": "adam"},
        {"run_id": "0000000000ccccc", "key": "layers", "value": "4", "value_num": 4.0, "value_str": "4"}])
    conn.execute(schema.latest_metrics.insert().values(
        run_id="0000000000ccccc", key="loss", value=0.7, step=0, timestamp=1.0))
    conn.execute(schema.tags.insert().values(run_id="0000000000ccccc", key="stage", value="prod"))


_SEARCH_INDEXES = ("ix_params_key_num", "ix_params_key_str", "ix_latest_metrics_key_value", "ix_tags_key_value")


def _check_version_9(store: Store, index_definitions: dict[str, str]) -> None:
    """Version 9 puts run_id in the (key, value) indexes the filters search, and a store
    upgraded to it finds its runs as before."""
    assert set(index_definitions) == set(_SEARCH_INDEXES)
    for name, definition in index_definitions.items():
        assert "run_id" in definition, (name, definition)
    found = store.search_runs(
        "params.opt = 'adam' and params.layers >= 3 and metrics.loss > 0.6 and tags.stage = 'prod' "
        "and params.missing is null and not (params.opt != 'adam')", order_by="metrics.loss desc")
    assert [run.id for run in found] == ["0000000000ccccc"]
    assert not store.search_runs("params.opt != 'adam' or params.missing = 1")


def test_a_version_7_store_gets_the_covering_search_indexes(store_dir: Path) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        _version_7_store(conn)
    engine.dispose()
    store = Store(os.fspath(store_dir))
    db = sqlite3.connect(store_dir / "mlops.db")
    definitions = dict(db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?, ?)", _SEARCH_INDEXES))
    parent = db.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_runs_parent'").fetchone()[0]
    assert "started_at" in parent, parent
    assert int(db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0]) >= 9
    _check_version_9(store, definitions)


def test_a_version_7_postgres_store_gets_the_covering_search_indexes(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        _version_7_store(conn)
    store = Store(url)
    with engine.begin() as conn:
        assert schema.read_version(conn) >= 9
        definitions = dict(conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('ix_params_key_num', 'ix_params_key_str', 'ix_latest_metrics_key_value', 'ix_tags_key_value')").all())
        parent = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_runs_parent'").scalar_one()
        assert "started_at" in parent, parent
    _check_version_9(store, definitions)
    store.close()
    engine.dispose()
