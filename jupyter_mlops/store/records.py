"""Execution records, each cell stored once per kernel rather than once per run.

A tracked cell's record is every cell the kernel ran so far: the record of the kernel's
previous run plus the cells run since. Stored whole for every run, a kernel's hundredth cell
would insert a hundred rows, and the store would grow with the square of a session's length.
So a run whose record begins with the whole record this process last stored in full (its
*base*, a run of the same kernel) stores only the cells after it, and a row in
``record_bases`` naming the base and how many of its cells come first. Once a run's own part
grows past ``REBASE_AFTER`` cells it stores its whole record and becomes the next base, so a
record is read in one hop and a run writes at most that many rows beyond its new cells.

A base is never left dangling: deleting a run, or replacing its record, first copies its
cells into the runs based on it (PostgreSQL: a writer linking to a base holds a share lock
on its row, which the delete waits for).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, insert, literal, select

from . import schema as s
from .entities import ExecutedCell
from .statements import execute, execute_many, insert_sql, sql

#: A run stores its whole record once its cells after the base would exceed this many.
REBASE_AFTER = 32

_COLUMNS = ("position", "execution_count", "source_hash", "source", "out_of_order", "stale")


class ExecutionRecords:
    """Writing and reading execution records. A part of :class:`~.sqlstore.Store`."""

    #: (run id, cells) of the last record this process stored in full in this store.
    _record_base: tuple[str, list[ExecutedCell]] | None = None

    def execution_record(self, run_id: str) -> list[ExecutedCell]:
        ec, rb = s.executed_cells, s.record_bases
        with self._read() as conn:  # type: ignore[attr-defined]
            link = conn.execute(select(rb.c.base_run_id, rb.c.base_length).where(rb.c.run_id == run_id)).first()
            where = ec.c.run_id == run_id
            if link is not None:
                where = where | ((ec.c.run_id == link.base_run_id) & (ec.c.position < link.base_length))
            rows = conn.execute(select(*(ec.c[name] for name in _COLUMNS)).where(where).order_by(ec.c.position)).all()
        return [
            ExecutedCell(position=r.position, execution_count=r.execution_count, source_hash=r.source_hash,
                         source=r.source, out_of_order=bool(r.out_of_order), stale=bool(r.stale))
            for r in rows
        ]

    def set_execution_record(self, run_id: str, cells: Iterable[ExecutedCell]) -> None:
        with self._write() as conn:  # type: ignore[attr-defined]
            base = self._set_execution_record(conn, run_id, cells)
        self._stored_in_full(base)

    def _set_execution_record(self, conn: Connection, run_id: str, cells: Iterable[ExecutedCell], *,
                              new: bool = False) -> tuple[str, list[ExecutedCell]] | None:
        """Store ``run_id``'s record (``new``: the run was created in this transaction, so it
        has none yet). Returns (run id, cells) when it was stored in full: the caller hands it
        to :meth:`_stored_in_full` once the transaction committed."""
        cells = list(cells)
        if not new:
            self._detach_dependents(conn, [run_id])
            execute(conn, sql(conn, "delete_record"), (run_id,))
            execute(conn, sql(conn, "delete_record_base"), (run_id,))
        base = self._record_base
        start = 0
        if base is not None and base[0] != run_id and self._continues(conn, base, cells):
            start = len(base[1])
            execute(conn, insert_sql(conn, "record_bases"), (run_id, base[0], start))
        rows = [(run_id, c.position, c.execution_count, c.source_hash, c.source, bool(c.out_of_order), bool(c.stale))
                for c in cells[start:]]
        if rows:  # inserted by the driver
            execute_many(conn, insert_sql(conn, "executed_cells"), rows)
        return (run_id, cells) if start == 0 and cells else None

    def _stored_in_full(self, base: tuple[str, list[ExecutedCell]] | None) -> None:
        if base is not None:
            self._record_base = base

    def _continues(self, conn: Connection, base: tuple[str, Sequence[ExecutedCell]], cells: list[ExecutedCell]) -> bool:
        """Whether ``cells`` begin with the base's whole record, add at most REBASE_AFTER to it,
        and the base run is still stored (and, on PostgreSQL, stays so until this commits)."""
        base_id, base_cells = base
        length = len(base_cells)
        if not length or not 0 <= len(cells) - length <= REBASE_AFTER or cells[:length] != base_cells:
            return False
        statement = "run_exists" if self.is_sqlite else "run_exists_shared"  # type: ignore[attr-defined]
        return execute(conn, sql(conn, statement), (base_id,)).fetchone() is not None

    def _detach_dependents(self, conn: Connection, run_ids: list[str]) -> None:
        """Copy the cells of ``run_ids`` into the runs based on them (those not among
        ``run_ids``), which then hold their whole record: before those runs' cells go."""
        ec, rb = s.executed_cells, s.record_bases
        links = conn.execute(select(rb.c.run_id, rb.c.base_run_id, rb.c.base_length).where(
            rb.c.base_run_id.in_(run_ids), rb.c.run_id.not_in(run_ids))).all()
        for link in links:
            conn.execute(insert(ec).from_select(["run_id", *_COLUMNS], select(
                literal(link.run_id, ec.c.run_id.type).label("run_id"), *(ec.c[name] for name in _COLUMNS)
            ).where(ec.c.run_id == link.base_run_id, ec.c.position < link.base_length)))
        if links:
            conn.execute(delete(rb).where(rb.c.run_id.in_([link.run_id for link in links])))
        if self._record_base is not None and self._record_base[0] in run_ids:
            self._record_base = None


__all__ = ["REBASE_AFTER", "ExecutionRecords"]
