"""The model registry in the store: versions, aliases and their history, concurrency, upgrades."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine

from jupyter_mlops.errors import (
    AliasNotFound,
    InvalidInput,
    InvalidModelUri,
    ModelNotFound,
    ModelVersionNotFound,
    RunHasRegisteredModels,
    RunNotFound,
)
from jupyter_mlops.store import schema
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.model_names import ModelRef, parse_model_uri
from jupyter_mlops.store.sqlstore import Store


def run_with_artifact(store: Store, data: bytes, name: str = "model.bin", parent: str | None = None) -> str:
    run_id = new_run_id()
    store.create_run(run_id, name="train", experiment="e", parent_id=parent)
    store.log_artifact_bytes(run_id, name, data)
    return run_id


def test_versions_count_up_and_the_same_bytes_give_the_existing_version(store_location: str) -> None:
    store = Store(store_location)
    runs = [run_with_artifact(store, f"weights {i}".encode()) for i in range(3)]
    versions = [store.models.register("churn", run_id, "model.bin", tags={"algo": "rf"}) for run_id in runs]
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[1].run_id == runs[1] and versions[1].tags == {"algo": "rf"}
    assert versions[0].size == len(b"weights 0") and versions[0].digest.startswith("sha256:") and len(versions[0].digest) == 71

    again = run_with_artifact(store, b"weights 1", name="copy.bin")
    assert store.models.register("churn", again, "copy.bin").version == 2
    assert [v.version for v in store.models.get("churn").versions] == [3, 2, 1]
    assert store.models.register("other", again, "copy.bin").version == 1  # versions count per model

    assert store.models.resolve("churn").version == 3
    assert store.models.resolve("models:/churn/1").run_id == runs[0]
    assert store.models.resolve("churn/2").path().read_bytes() == b"weights 1"
    listed = store.models.list()
    assert [(m.name, m.latest_version) for m in listed] == [("churn", 3), ("other", 1)]


def test_alias_moves_are_recorded_and_resolve(store_location: str) -> None:
    store = Store(store_location)
    for i in range(3):
        store.models.register("churn", run_with_artifact(store, bytes([i])), "model.bin")
    store.models.set_alias("churn", "production", 1)
    store.models.set_alias("churn", "production", 2)
    store.models.set_alias("churn", "production", 2)  # no move: no history row
    store.models.set_alias("churn", "staging", 3)
    assert store.models.resolve("churn@production").version == 2
    assert store.models.resolve("models:/churn@staging").aliases == ["staging"]
    move = store.models.delete_alias("churn", "staging")
    assert (move.from_version, move.to_version) == (3, None)
    model = store.models.get("churn")
    assert model.aliases == {"production": 2}
    assert [(m.alias, m.from_version, m.to_version) for m in model.alias_history] == [
        ("production", None, 1), ("production", 1, 2), ("staging", None, 3), ("staging", 3, None)]
    assert all(m.user for m in model.alias_history)
    with pytest.raises(AliasNotFound, match="has no alias 'staging'; its aliases are production"):
        store.models.resolve("churn@staging")


def test_an_alias_is_set_with_registering_and_follows_the_existing_version(store_location: str) -> None:
    store = Store(store_location)
    first = run_with_artifact(store, b"a")
    store.models.register("m", first, "model.bin", alias="champion")
    second = run_with_artifact(store, b"b")
    store.models.register("m", second, "model.bin", alias="champion")
    assert store.models.resolve("m@champion").version == 2
    assert store.models.register("m", first, "model.bin", alias="champion").version == 1
    assert store.models.resolve("m@champion").version == 1


def test_bad_input_is_refused_and_nothing_is_registered(store_location: str) -> None:
    store = Store(store_location)
    run_id = run_with_artifact(store, b"w")
    with pytest.raises(InvalidInput, match="only letters, digits"):
        store.models.register("bad name", run_id, "model.bin")
    with pytest.raises(InvalidInput, match="not a Python identifier"):
        store.models.register("m", run_id, "model.bin", alias="prod-1")
    with pytest.raises(InvalidInput, match="no artifact named 'nope.bin'"):
        store.models.register("m", run_id, "nope.bin")
    with pytest.raises(RunNotFound):
        store.models.register("m", "0000000000zzzzz", "model.bin")
    assert store.models.list() == []
    with pytest.raises(ModelNotFound, match="none is registered yet"):
        store.models.resolve("m")

    store.models.register("m", run_id, "model.bin", alias="prod")
    with pytest.raises(ModelVersionNotFound, match="has no version 7; its versions are 1 to 1"):
        store.models.set_alias("m", "prod", 7)
    with pytest.raises(ModelVersionNotFound):
        store.models.resolve("m/99999999999999999999")  # beyond the INTEGER column: not found, not a crash
    with pytest.raises(ModelNotFound, match="registered models: m"):
        store.models.set_alias("n", "prod", 1)
    with pytest.raises(AliasNotFound):
        store.models.delete_alias("m", "staging")
    with pytest.raises(InvalidModelUri):
        store.models.resolve("m/x")
    with pytest.raises(InvalidInput, match="latest"):
        store.models.set_alias("m", "latest", 1)
    model = store.models.get("m")
    assert model.aliases == {"prod": 1} and len(model.alias_history) == 1 and len(model.versions) == 1


def test_deleting_a_run_with_registered_versions_needs_force(store_location: str) -> None:
    store = Store(store_location)
    parent = new_run_id()
    store.create_run(parent, name="sweep", experiment="e")
    child = run_with_artifact(store, b"w", parent=parent)
    store.models.register("m", child, "model.bin")
    for doomed in (child, parent):  # its parent would take it along
        with pytest.raises(RunHasRegisteredModels, match=r"m/1 \(run .*force=True"):
            store.delete_run(doomed)
    assert store.get_run(child).id == child
    store.delete_run(parent, force=True)
    with pytest.raises(RunNotFound):
        store.get_run(child)
    kept = store.models.resolve("m/1")
    assert kept.run_id == child and kept.path().read_bytes() == b"w"  # the bytes outlive the run


WORKER = textwrap.dedent("""
    import os, sys, time
    from jupyter_mlops.store.ids import new_run_id
    from jupyter_mlops.store.sqlstore import Store

    location, tag, go = sys.argv[1:4]
    store = Store(location)
    run_id = new_run_id()
    store.create_run(run_id, name="w" + tag, experiment="e")
    store.log_artifact_bytes(run_id, "model.bin", ("weights " + tag).encode())
    while not os.path.exists(go):
        time.sleep(0.002)
    version = store.models.register("shared", run_id, "model.bin").version
    store.models.set_alias("shared", "champion", version)
    print(version)
""")


def test_processes_registering_at_once_get_distinct_numbers(store_location: str, tmp_path: Path) -> None:
    Store(store_location).close()  # schema made before the race
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, store_location, str(i), str(go)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(6)]
    time.sleep(1.5)  # all of them started and waiting
    go.touch()
    results = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in results]
    assert sorted(int(out) for out, _ in results) == [1, 2, 3, 4, 5, 6]
    model = Store(store_location).models.get("shared")
    assert [v.version for v in model.versions] == [6, 5, 4, 3, 2, 1]
    assert len({v.digest for v in model.versions}) == 6
    # every move starts where the one before it ended: no move was lost or interleaved
    history = [(m.from_version, m.to_version) for m in model.alias_history]
    assert len(history) == 6 and history[0][0] is None
    assert all(before[1] == after[0] for before, after in zip(history, history[1:]))  # noqa: B905
    assert model.aliases["champion"] == history[-1][1]


def test_a_version_3_store_is_upgraded_in_place(store_dir: Path) -> None:
    store_dir.mkdir()
    (store_dir / "blobs").mkdir()
    from jupyter_mlops.store.blobs import BlobStore

    digest = BlobStore(store_dir / "blobs").put(b"old weights")
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        for step in schema.MIGRATIONS[:3]:
            step(conn)
        schema.write_version(conn, 3)
        conn.execute(schema.runs.insert().values(
            id="0000000000aaaaa", name="old", experiment="e", status="finished", started_at=1.0,
            ended_at=2.0, note="", source="api"))
        conn.execute(schema.artifacts.insert().values(run_id="0000000000aaaaa", name="model.pkl", digest=digest,
                                                      size=11, created_at=1.5))
    engine.dispose()
    store = Store(os.fspath(store_dir))
    version = store.models.register("legacy", "0000000000aaaaa", "model.pkl", alias="production")
    assert version.version == 1 and store.models.resolve("legacy@production").path().read_bytes() == b"old weights"
    db = sqlite3.connect(store_dir / "mlops.db")
    assert db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
    assert store.get_run("0000000000aaaaa").name == "old"


def test_local_copies_are_made_once_per_digest(store: Store) -> None:
    run_id = run_with_artifact(store, b"bytes")
    version = store.models.register("m", run_id, "model.bin")
    path = version.path()
    assert path.name == "model.bin" and path.parent.name == version.blob_digest
    assert Path(store.location) in path.parents
    mtime = path.stat().st_mtime_ns
    assert version.path() == path and path.stat().st_mtime_ns == mtime


# --- URIs --------------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z0-9_.\-]{1,40}", fullmatch=True).filter(lambda n: set(n) != {"."})
aliases = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True).filter(lambda a: a != "latest")


@given(names, st.integers(min_value=1, max_value=10**30), st.booleans())
def test_version_uris_parse_in_both_forms(name: str, version: int, mlflow_form: bool) -> None:
    text = f"models:/{name}/{version}" if mlflow_form else f"{name}/{version}"
    assert parse_model_uri(text) == ModelRef(name, version=version)


@given(names, aliases, st.booleans())
def test_alias_uris_parse_in_both_forms(name: str, alias: str, mlflow_form: bool) -> None:
    text = f"models:/{name}@{alias}" if mlflow_form else f"{name}@{alias}"
    assert parse_model_uri(text) == ModelRef(name, alias=alias)
    assert str(parse_model_uri(text)) == f"{name}@{alias}"


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_clearly(text: str) -> None:
    try:
        ref = parse_model_uri(text)
    except InvalidModelUri as exc:
        assert "model URI" in str(exc)
    else:
        assert ref.name and "/" not in ref.name and "@" not in ref.name


@pytest.mark.parametrize("uri", ["", "models:", "models:name/1", "models://name/1", "a/0", "a/-1", "a/1.5",
                                 "a/1/2", "a@", "a@1x", "a@b-c", "a b", "../x", "@x", "/1", "a/٣"])
def test_bad_uris_say_what_forms_are_accepted(uri: str) -> None:
    with pytest.raises(InvalidModelUri):
        parse_model_uri(uri)
