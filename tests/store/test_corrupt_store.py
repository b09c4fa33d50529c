"""A damaged store gives one clear error and is never written to.

Each kind of damage is made by writing bytes into a real store file; after every operation
tried (Python API, CLI), the file must be byte for byte what it was.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.errors import CorruptStore
from jupyter_mlops.store import forget_stores, open_store
from jupyter_mlops.store.sqlstore import Store


def _populate(store_dir: Path) -> str:
    """A store with runs that have params, tags, metrics, a snapshot and an artifact."""
    artifact = store_dir.parent / "model.txt"
    artifact.write_text("weights")
    run_id = ""
    for index in range(30):
        with mlops.start_run(name=f"r{index}", params={"lr": index / 10, "text": "x" * 300},
                             tags={"stage": "dev"}, store=os.fspath(store_dir)) as run:
            for step in range(50):
                run.log_metric("loss", 1 / (step + 1))
            run.stage(snapshot=b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
            if index == 0:
                run.log_artifact(artifact)
            run_id = run.id
    forget_stores()  # the last connection closes: SQLite folds the WAL into mlops.db
    assert not (store_dir / "mlops.db-wal").exists() or (store_dir / "mlops.db-wal").stat().st_size == 0
    return run_id


def _root_page(database: Path, name: str) -> int:
    db = sqlite3.connect(database)
    try:
        (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    finally:
        db.close()
    return (page - 1) * page_size, page_size


def garbage_header(database: Path) -> None:
    data = bytearray(database.read_bytes())
    data[:100] = random.Random(1).randbytes(100)
    database.write_bytes(bytes(data))


def truncated(database: Path) -> None:
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 3 + 17])


def runs_page_overwritten(database: Path) -> None:
    offset, size = _root_page(database, "runs")
    _overwrite(database, offset, size)


def index_page_overwritten(database: Path) -> None:
    """Damage where reading runs does not look: only the integrity check before a write sees it."""
    offset, size = _root_page(database, "ix_tags_key_value")
    _overwrite(database, offset, size)


def _overwrite(database: Path, offset: int, size: int) -> None:
    with open(database, "r+b") as handle:
        handle.seek(offset)
        handle.write(random.Random(offset).randbytes(size))


def version_not_a_number(database: Path) -> None:
    db = sqlite3.connect(database)
    with db:
        db.execute("UPDATE mlops_meta SET value = 'three' WHERE key = 'schema_version'")
    db.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage header": garbage_header,
    "truncated": truncated,
    "runs page overwritten": runs_page_overwritten,
    "schema_version not a number": version_not_a_number,
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_database_is_refused_by_every_face_and_left_untouched(
    kind: str, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _populate(store_dir)
    database = store_dir / "mlops.db"
    DAMAGE[kind](database)
    before = _digest(database)
    location = os.fspath(store_dir)

    with pytest.raises(CorruptStore) as caught:
        store = Store(location)
        store.search_runs()
        store.get_run(run_id)
    message = str(caught.value)
    assert str(database) in message and "not a readable jupyter-mlops store" in message
    assert "restore it from a backup" in message and "left as it is" in message
    assert _digest(database) == before

    with pytest.raises(CorruptStore), mlops.start_run(name="after", store=location) as run:
        run.log_metric("x", 1.0)
    assert _digest(database) == before

    for argv in (["runs"], ["show", run_id], ["show", run_id[:6]]):
        capsys.readouterr()
        assert main([*argv, "--store", location]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert "not a readable jupyter-mlops store" in err and "Traceback" not in err
        assert _digest(database) == before


def test_the_installed_command_says_one_line_and_exits_2(store_dir: Path) -> None:
    _populate(store_dir)
    truncated(store_dir / "mlops.db")
    before = _digest(store_dir / "mlops.db")
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run([str(jupyter), "mlops", "runs", "--store", str(store_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert f"{store_dir / 'mlops.db'} is not a readable jupyter-mlops store" in done.stderr
    assert _digest(store_dir / "mlops.db") == before


def test_damage_that_reads_do_not_touch_is_found_before_the_first_write(store_dir: Path) -> None:
    run_id = _populate(store_dir)
    database = store_dir / "mlops.db"
    index_page_overwritten(database)
    before = _digest(database)
    store = open_store(os.fspath(store_dir))
    assert store.get_run(run_id).params["lr"] == 2.9  # browsing still works
    for write in (
        lambda: store.set_tags(run_id, {"stage": "prod"}),
        lambda: store.update_run(run_id, note="hello"),
        lambda: store.delete_run(run_id),
        lambda: mlops.start_run(name="x", store=store).end(),
    ):
        with pytest.raises(CorruptStore, match="integrity check"):
            write()
        assert _digest(database) == before


def test_a_blob_folder_that_is_a_file_is_refused(store_dir: Path) -> None:
    _populate(store_dir)
    shutil.rmtree(store_dir / "blobs")
    (store_dir / "blobs").write_bytes(b"not a folder")
    before = _digest(store_dir / "mlops.db")
    with pytest.raises(CorruptStore, match="blob folder of the store is a file"):
        Store(os.fspath(store_dir))
    assert main(["runs", "--store", os.fspath(store_dir)]) == 2
    assert (store_dir / "blobs").read_bytes() == b"not a folder"
    assert _digest(store_dir / "mlops.db") == before


def test_a_blobs_location_that_is_a_file_is_refused_for_a_server_store(
    store_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not store_location.startswith("postgresql"):
        pytest.skip("the SQLite store's blob folder is covered above")
    (tmp_path / "blobs-file").write_text("x")
    monkeypatch.setenv("JUPYTER_MLOPS_BLOBS", os.fspath(tmp_path / "blobs-file"))
    with pytest.raises(CorruptStore, match="blobs-file"):
        Store(store_location)


def test_an_empty_database_file_is_a_new_store(store_dir: Path) -> None:
    """A store another process is creating this instant: its file exists but is still empty."""
    store_dir.mkdir()
    (store_dir / "mlops.db").write_bytes(b"")
    store = Store(os.fspath(store_dir))
    with mlops.start_run(name="first", store=store):
        pass
    assert [r.name for r in store.search_runs()] == ["first"]
