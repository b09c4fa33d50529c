"""Each run's colour slot: the one after its experiment's newest run when it is created (schema
v10), and for the runs of an older store, their places in their experiment's order of starting."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, select

import jupyter_mlops as mlops
from jupyter_mlops.render.palette import RUN_COLOURS
from jupyter_mlops.store import open_store, schema
from jupyter_mlops.store.batches import NewRun, WriteBatch
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.sqlstore import Store


def _slots(store: Store, experiment: str) -> list[int | None]:
    """The slots of an experiment's runs, in the order they started."""
    return [run.colour_slot for run in store.search_runs(experiment=experiment, order_by="started_at", limit=None)]


def test_runs_take_slots_in_turn_per_experiment_round_the_palette(store_location: str) -> None:
    store = open_store(store_location)
    start = time.time()
    for i in range(len(RUN_COLOURS) + 3):  # made one after another, two experiments interleaved
        store.create_run(new_run_id(), name=f"a{i}", experiment="a", started_at=start + i)
        if i < 4:
            store.create_run(new_run_id(), name=f"b{i}", experiment="b", started_at=start + i)
    assert _slots(store, "a") == [*range(len(RUN_COLOURS)), 0, 1, 2]
    assert _slots(store, "b") == [0, 1, 2, 3]


def test_the_tracking_writers_runs_take_the_next_slots_parent_then_children(store_location: str) -> None:
    store = open_store(store_location)
    store.create_run(new_run_id(), name="first", experiment="e", started_at=time.time() - 10)
    parent, children = new_run_id(), [new_run_id() for _ in range(3)]
    now = time.time()
    creates = {parent: NewRun(name="sweep", experiment="e", started_at=now)}
    creates.update({child: NewRun(name=f"trial {i}", experiment="e", parent_id=parent, started_at=now + 1 + i)
                    for i, child in enumerate(children)})  # one transaction: each sees the one before
    store.write_batch(WriteBatch(creates=creates, ends={child: ("finished", now + 5, None) for child in children}))
    assert [store.get_run(run_id).colour_slot for run_id in (parent, *children)] == [1, 2, 3, 4]
    with mlops.start_run(name="api", experiment="e", store=store_location) as run:
        pass
    assert open_store(store_location).get_run(run.id).colour_slot == 5


def test_a_run_whose_slot_was_cleared_by_hand_falls_back_to_its_ids_colour(store_dir: Path) -> None:
    store = open_store(os.fspath(store_dir))
    first, second = new_run_id(), new_run_id()
    store.create_run(first, name="a", experiment="e", started_at=1.0)
    store.create_run(second, name="b", experiment="e", started_at=2.0)
    with sqlite3.connect(store_dir / "mlops.db") as db:
        db.execute("UPDATE runs SET colour = NULL WHERE id = ?", (second,))
    assert open_store(os.fspath(store_dir)).get_run(second).colour_slot is None
    third = new_run_id()
    store.create_run(third, name="c", experiment="e", started_at=3.0)  # after a run without one: 0
    assert store.get_run(third).colour_slot == 0


def _version_9_store(conn: Connection) -> None:
    for migrate in schema.MIGRATIONS[:9]:
        migrate(conn)
    conn.exec_driver_sql("ALTER TABLE runs DROP COLUMN colour")  # the first step makes today's table
    schema.write_version(conn, 9)
    rows = [("0000000000run05", "b", 5.0), ("0000000000run01", "a", 1.0), ("0000000000run03", "a", 3.0),
            ("0000000000run02", "b", 2.0), ("0000000000run07", "a", 3.0), ("0000000000run00", "a", 0.5)]
    rows += [(f"0000000000c{i:04d}", "c", 100.0 + i) for i in range(12)]
    for run_id, experiment, started_at in rows:
        conn.execute(schema.runs.insert().values(
            id=run_id, name=f"n-{run_id}", experiment=experiment, status="finished", started_at=started_at,
            ended_at=started_at + 1, note="", source="api", env='{"python": "3.11"}', user="ana"))
    conn.execute(schema.params.insert().values(run_id="0000000000run01", key="lr", value="0.1", value_num=0.1,
                                               value_str="0.1"))


def _rows(conn: Connection, *, colour: bool = True) -> dict[str, dict[str, Any]]:
    columns = [column for column in schema.runs.c if colour or column.name != "colour"]
    return {row["id"]: dict(row) for row in conn.execute(select(*columns)).mappings()}


def _check_backfill(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> None:
    slots = {run_id: row.pop("colour") for run_id, row in after.items()}
    assert after == before  # every other column as it was
    # each experiment in order of started_at, then id (two runs of "a" started at 3.0)
    assert [slots[f"0000000000run0{i}"] for i in (0, 1, 3, 7)] == [0, 1, 2, 3]
    assert [slots[f"0000000000run0{i}"] for i in (2, 5)] == [0, 1]
    assert [slots[f"0000000000c{i:04d}"] for i in range(12)] == [*range(len(RUN_COLOURS)), 0, 1]


def _check_next_run(store: Store) -> None:
    run_id = new_run_id()
    store.create_run(run_id, name="new", experiment="a")
    assert store.get_run(run_id).colour_slot == 4  # after run07, the newest of "a"
    assert store.get_run("0000000000run01").params == {"lr": 0.1}


def test_a_version_9_store_gives_its_runs_slots_in_the_order_they_started(store_dir: Path) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        _version_9_store(conn)
        before = _rows(conn, colour=False)
    engine.dispose()
    store = Store(os.fspath(store_dir))
    with sqlite3.connect(store_dir / "mlops.db") as db:
        assert int(db.execute("SELECT value FROM mlops_meta WHERE key='schema_version'").fetchone()[0]) >= 10
        assert not db.execute("SELECT name FROM sqlite_temp_master").fetchall()  # the numbering is gone
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        _check_backfill(before, _rows(conn))
    engine.dispose()
    _check_next_run(store)


def test_a_version_9_postgres_store_gives_its_runs_slots_in_the_order_they_started(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        _version_9_store(conn)
        before = _rows(conn, colour=False)
    store = Store(url)
    with engine.begin() as conn:
        assert schema.read_version(conn) >= 10
        _check_backfill(before, _rows(conn))
    _check_next_run(store)
    store.close()
    engine.dispose()


@pytest.mark.parametrize("runs", [0, 1])
def test_a_version_9_store_with_few_runs_upgrades(store_dir: Path, runs: int) -> None:
    store_dir.mkdir()
    engine = create_engine(f"sqlite:///{store_dir / 'mlops.db'}")
    with engine.begin() as conn:
        for migrate in schema.MIGRATIONS[:9]:
            migrate(conn)
        conn.exec_driver_sql("ALTER TABLE runs DROP COLUMN colour")
        schema.write_version(conn, 9)
        if runs:
            conn.execute(schema.runs.insert().values(id="0000000000aaaaa", name="x", experiment="e",
                                                     status="finished", started_at=1.0, note="", source="api"))
    engine.dispose()
    store = Store(os.fspath(store_dir))
    assert [run.colour_slot for run in store.search_runs()] == [0] * runs
