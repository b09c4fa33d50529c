"""File records, the digest cache and lineage graphs in the store, on SQLite and PostgreSQL;
the schema v5 migration of an older store; runs' users."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from jupyter_mlops.errors import InvalidInput, RunNotFound
from jupyter_mlops.store import schema
from jupyter_mlops.store.files import FileRef, FileState
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.lineage import PathNotTracked
from jupyter_mlops.store.sqlstore import Store


def digest(text: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def make_run(store: Store, name: str, *, reads: dict[str, str] = {}, writes: dict[str, str] = {},  # noqa: B006
             user: str | None = None) -> str:
    run_id = new_run_id()
    store.create_run(run_id, name=name, experiment="e", user=user)
    refs = [FileRef(path, "input", digest(text), len(text)) for path, text in reads.items()]
    refs += [FileRef(path, "output", digest(text), len(text)) for path, text in writes.items()]
    store.files.record(run_id, refs)
    store.end_run(run_id)
    return run_id


def test_lineage_walks_both_ways_matching_files_by_path_and_digest(store_location: str) -> None:
    store = Store(store_location)
    prepare = make_run(store, "prepare", reads={"data/raw.csv": "v1"}, writes={"data/clean.csv": "c1"})
    train = make_run(store, "train", reads={"data/clean.csv": "c1"}, writes={"model.joblib": "m1"})
    stale = make_run(store, "train-old", reads={"data/clean.csv": "c0"})  # other bytes: not downstream
    report = make_run(store, "report", reads={"model.joblib": "m1"})
    store.log_artifact_bytes(train, "model.joblib", b"m1")
    store.models.register("digits", train, "model.joblib", alias="production")

    graph = store.lineage(run_id=train)
    assert graph.start == [f"run:{train}"]
    assert set(graph.runs()) == {prepare, train, report}
    edges = {(e.source, e.kind, e.target) for e in graph.edges}
    raw = f"file:data/raw.csv@{digest('v1')}"
    clean = f"file:data/clean.csv@{digest('c1')}"
    assert (raw, "read", f"run:{prepare}") in edges
    assert (f"run:{prepare}", "wrote", clean) in edges
    assert (clean, "read", f"run:{train}") in edges
    assert (f"run:{train}", "registered", "model:digits/1") in edges
    assert graph.nodes["model:digits/1"].data["aliases"] == ["production"]
    assert stale not in graph.runs()

    by_path = store.lineage(path="data/raw.csv")
    assert set(by_path.runs()) == {prepare, train, report}
    assert "model:digits/1" in by_path.nodes
    payload = by_path.to_dict()
    assert {n["kind"] for n in payload["nodes"]} == {"file", "run", "model"}

    with pytest.raises(PathNotTracked, match="no run .* read or wrote 'nowhere.csv'"):
        store.lineage(path="nowhere.csv")
    with pytest.raises(RunNotFound):
        store.lineage(run_id="0000nonexistent")
    with pytest.raises(InvalidInput, match="either a run id or a path"):
        store.lineage()


def test_records_replace_a_path_recorded_again_and_go_with_the_run(store_location: str) -> None:
    store = Store(store_location)
    run_id = make_run(store, "r", writes={"out.csv": "a"})
    store.files.record(run_id, [FileRef("out.csv", "output", digest("b"), 1)])
    assert [(r.path, r.digest) for r in store.get_run(run_id).files("output")] == [("out.csv", digest("b"))]
    assert store.get_run(run_id).files("input") == []
    with pytest.raises(InvalidInput, match="role"):
        store.get_run(run_id).files("inputs")
    with pytest.raises(InvalidInput, match="role"):
        store.files.record(run_id, [FileRef("x", "read", digest("x"))])
    store.delete_run(run_id)
    assert store.files.of_run(run_id) == []


def test_the_digest_cache_is_shared_by_processes_of_the_store(store_location: str, tmp_path: Path) -> None:
    from jupyter_mlops.store import files

    path = tmp_path / "data.bin"
    path.write_bytes(b"payload")
    first = Store(store_location)
    state = FileState.of(path)
    assert first.files.digest(state) == "sha256:" + __import__("hashlib").sha256(b"payload").hexdigest()
    files._memory.clear()
    second = Store(store_location)
    assert second.files.known_digests([state]) == {state.key: first.files.digest(state)}


def test_user_is_recorded_filterable_and_defaults_to_the_hub_user(store_location: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    store = Store(store_location)
    mine = make_run(store, "mine")
    theirs = make_run(store, "theirs", user="bob")
    assert store.get_run(mine).user == "ana" and store.get_run(theirs).user == "bob"
    assert [r.id for r in store.search_runs("user = 'ana'")] == [mine]
    assert [r.id for r in store.search_runs("user != 'ana'")] == [theirs]
    assert store.get_run(mine).to_dict()["user"] == "ana"
    monkeypatch.delenv("JUPYTERHUB_USER")
    import getpass

    assert store.get_run(make_run(store, "login")).user == getpass.getuser()


def test_a_version_4_store_gains_users_and_file_tables_keeping_its_runs(store_dir: Path) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        for step in schema.MIGRATIONS[:4]:
            step(conn)
        conn.exec_driver_sql('ALTER TABLE runs DROP COLUMN "user"')  # as version 4 made it
        schema.write_version(conn, 4)
        conn.exec_driver_sql("INSERT INTO runs (id, name, experiment, status, started_at, note, source) "
                             "VALUES ('0000000000aaaaa', 'old', 'e', 'finished', 1.0, '', 'api')")
    engine.dispose()
    store = Store(os.fspath(store_dir))
    old = store.get_run("0000000000aaaaa")
    assert old.name == "old" and old.user is None and old.files() == []
    assert store.search_runs("user = 'ana'") == []
    run_id = make_run(store, "new", writes={"a.txt": "a"}, user="ana")
    assert store.get_run(run_id).files()[0].path == "a.txt"
    db = sqlite3.connect(store_dir / "mlops.db")
    assert db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
    assert {row[1] for row in db.execute("PRAGMA table_info(runs)")} >= {"user"}
    Store(os.fspath(store_dir))  # opening again migrates nothing twice
