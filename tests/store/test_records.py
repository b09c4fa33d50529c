"""Execution records of a kernel's runs share their cells: each run stores the cells after the
record it continues, yet reads back its whole record, also after that base run is deleted or
its record replaced, by this process or another (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jupyter_mlops.capture.execution import build_record
from jupyter_mlops.store import records
from jupyter_mlops.store.entities import ExecutedCell
from jupyter_mlops.store.ids import new_run_id
from jupyter_mlops.store.sqlstore import NewRun, Store, WriteBatch


@pytest.fixture(autouse=True)
def _short_rebase(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new base every 5 runs instead of every 33, so a few runs show every case."""
    monkeypatch.setattr(records, "REBASE_AFTER", 4)


def _kernel_runs(store: Store, cells: int, start: int = 0) -> list[tuple[str, list[ExecutedCell]]]:
    """One tracked run per cell, as a kernel's writer stores them: row and record in one batch."""
    history = [(count, f"x = {count}") for count in range(1, start + 1)]
    runs = []
    for count in range(start + 1, start + cells + 1):
        history.append((count, f"x = {count}"))
        run_id = new_run_id()
        record = build_record(history, None)
        store.write_batch(WriteBatch(creates={run_id: NewRun(name=f"cell [{count}]", experiment="e")},
                                     records={run_id: record}, ends={run_id: ("finished", 1.0, None)}))
        runs.append((run_id, record))
    return runs


def _stored_rows(store: Store) -> int:
    with store._read() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM executed_cells")).scalar_one()


def test_every_run_reads_its_whole_record_while_its_cells_are_stored_about_once(store_location: str) -> None:
    store = Store(store_location)
    runs = _kernel_runs(store, 24)
    for run_id, record in runs:
        assert store.execution_record(run_id) == record
    assert store.get_run(runs[-1][0]).execution_record() == runs[-1][1]
    whole = sum(len(record) for _, record in runs)  # 300 rows if each run stored all it ran
    assert _stored_rows(store) < whole / 2


def test_records_survive_deleting_and_replacing_the_runs_they_are_based_on(store_location: str) -> None:
    store = Store(store_location)
    runs = _kernel_runs(store, 16)
    with store._read() as conn:
        bases = list(conn.execute(sa.text("SELECT DISTINCT base_run_id FROM record_bases")).scalars())
    assert len(bases) >= 2
    store.delete_run(bases[0])
    replaced = [ExecutedCell(position=0, execution_count=1, source_hash="0" * 64, source="y = 2",
                             out_of_order=False, stale=False)]
    store.set_execution_record(bases[1], replaced)
    assert store.execution_record(bases[1]) == replaced
    for run_id, record in runs:
        if run_id not in bases[:2]:
            assert store.execution_record(run_id) == record, run_id
    # the kernel goes on: its next runs are whole too
    for run_id, record in _kernel_runs(store, 3, start=16):
        assert store.execution_record(run_id) == record


def test_a_base_deleted_by_another_process_is_not_linked_to(store_location: str) -> None:
    kernel, browser = Store(store_location), Store(store_location)  # two processes' views
    runs = _kernel_runs(kernel, 3)
    for run_id, _ in runs:
        browser.delete_run(run_id)
    later = _kernel_runs(kernel, 2, start=3)
    for run_id, record in later:
        assert kernel.execution_record(run_id) == record
        assert len(record) in (4, 5)
