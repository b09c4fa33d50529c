"""Long param and tag values are stored and found on both databases (PostgreSQL's btree
entries hold about 2,700 bytes: its indexes cover the first characters only)."""

from __future__ import annotations

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store


def test_a_long_param_and_tag_are_stored_and_found(store_location: str) -> None:
    long_param = "p" * 8_000  # a filter literal may hold up to 10,000 characters
    long_tag = "t" * 5_000
    with mlops.start_run(name="long", params={"blob": long_param}, tags={"note": long_tag},
                         store=store_location) as run:
        run.log_metric("loss", 0.5)
    store = open_store(store_location)
    stored = store.get_run(run.id)
    assert stored.params["blob"] == long_param and stored.tags["note"] == long_tag
    assert [r.id for r in store.search_runs(f"params.blob = '{long_param}'")] == [run.id]
    assert [r.id for r in store.search_runs(f"tags.note LIKE '{'t' * 300}%'")] == [run.id]
    assert store.search_runs("params.blob = 'other'") == []
