"""``page_runs``: one page of runs, and the last page for an offset past the end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_mlops.store.paging import last_offset, page_runs


def test_pages_walk_every_run_once_and_past_the_end_give_the_last_page(store) -> None:
    ids = []
    for i in range(5):
        store.create_run(f"run{i:010d}", name=f"r{i}", experiment="e", started_at=1000.0 + i)
        ids.append(f"run{i:010d}")
    seen = []
    offset = 0
    while True:
        page = page_runs(store, limit=2, offset=offset)
        seen += [run.id for run in page.runs]
        if page.offset + len(page.runs) >= page.total:
            break
        offset += 2
    assert seen == ids[::-1]
    past = page_runs(store, limit=2, offset=50)
    assert (past.offset, past.total, [r.id for r in past.runs]) == (4, 5, [ids[0]])
    empty = page_runs(store, "name = 'none'", limit=2, offset=10)
    assert (empty.offset, empty.total, empty.runs) == (10, 0, [])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 500))
def test_the_last_page_starts_on_a_page_and_holds_the_last_run(total: int, limit: int) -> None:
    start = last_offset(total, limit)
    assert start % limit == 0 and start >= 0
    if total:
        assert start < total <= start + limit
