"""``diff_runs``: what differs between two runs of a store (``jupyter mlops diff``): params, last
metrics, and their notebooks cell by cell, by the one comparison of :mod:`jupyter_mlops.compare`
(papermill's injected parameters and error-marker cells are left out; outputs are compared)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..compare import RunDiff, compare_runs
from ..compare.render import diff_json, diff_text

if TYPE_CHECKING:
    from ..store.entities import Run


def diff_runs(run_a: str | Run, run_b: str | Run, store: Any = None) -> RunDiff:
    """Compare two runs (ids, or unique id prefixes)."""
    from ..store import open_store
    from ..store.sqlstore import Store

    the_store = store if isinstance(store, Store) else open_store(store)
    a = the_store.find_run(run_a) if isinstance(run_a, str) else run_a
    b = the_store.find_run(run_b) if isinstance(run_b, str) else run_b
    return RunDiff.of(compare_runs([a, b], the_store.snapshot_bytes))


__all__ = ["RunDiff", "diff_json", "diff_runs", "diff_text"]
