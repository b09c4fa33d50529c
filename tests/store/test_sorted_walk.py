"""A page walked in its sort order (store/sorted_walk.py) is exactly the page found through the
filter: same runs, same order, on every page, for any filter the grammar allows, whether the
walk fills the page, runs out of its budget or reaches the runs without a value.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_mlops.store import forget_stores, open_store, run_reads, sorted_walk
from jupyter_mlops.store import schema as s
from jupyter_mlops.store.query import param_columns
from jupyter_mlops.store.sqlstore import Store

from .test_filter_properties import expressions

RUNS = 40
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fill(store: Store) -> None:
    """Runs with ties in every sort key, NaN, infinities, missing metrics and params of mixed
    types, in two experiments, some started at the same moment."""
    runs, params, metrics = [], [], []
    for i in range(RUNS):
        run_id = f"{i:04d}{'abcdefghij'[i % 10]}walk"
        runs.append({"id": run_id, "name": "abc"[i % 3], "experiment": f"e{i % 2}", "status": "finished",
                     "parent_id": None, "started_at": 1000.0 + i // 3, "ended_at": 1001.0 + i % 4,
                     "note": "", "source": "api"})
        for key, value in {"lr": (0.1, 0.2, "text", True, None)[i % 5], "opt": ("adam", "sgd", "")[i % 3]}.items():
            if i % 7 == 3 and key == "opt":
                continue
            text, number, string = param_columns(value)
            params.append({"run_id": run_id, "key": key, "value": text, "value_num": number, "value_str": string})
        for key, value in {"acc": (0.5, 0.9, 0.9, math.nan, math.inf, -math.inf, 0.1)[i % 7],
                           "loss": i % 4 / 4}.items():
            if (key == "loss" and i % 5 == 2) or (key == "acc" and i % 11 == 4):
                continue  # missing
            finite = math.isfinite(value)
            metrics.append({"run_id": run_id, "key": key, "value": value if finite else (None if math.isnan(value) else value),
                            "value_repr": None if finite else repr(value), "step": 0, "timestamp": 1.0})
    with store._write() as conn:
        conn.execute(s.runs.insert(), runs)
        conn.execute(s.params.insert(), params)
        conn.execute(s.latest_metrics.insert(), metrics)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def walk_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("walk")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "sqlite":
            location = str(folder / ".mlops")
        else:
            patch.setenv("JUPYTER_MLOPS_BLOBS", str(folder / "blobs"))
            location = request.getfixturevalue("postgres_server").create_database()
        store = open_store(location)
        _fill(store)
        yield store
        forget_stores()


def _ids(store: Store, text: str, order: str | None, experiment: str | None, limit: int, offset: int) -> list[str]:
    return [run.id for run in store.search_runs(text, experiment=experiment, order_by=order, limit=limit,
                                                offset=offset, previews=True)]


ORDERS = st.sampled_from(["metrics.acc", "metrics.acc desc", "metrics.loss desc", "metrics.missing",
                          "metrics.loss"])


@EXAMPLES
@given(st.one_of(st.just(""), expressions()), ORDERS, st.sampled_from([None, "e1"]), st.integers(1, 12),
       st.integers(0, 45), st.integers(1, 30))
def test_a_walked_page_is_the_page_found_through_the_filter(
    walk_store: Store, text: str, order: str | None, experiment: str | None, limit: int, offset: int, entries: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_reads, "walk_page", lambda *args, **kwargs: None)
        expected = _ids(walk_store, text, order, experiment, limit, offset)
    with pytest.MonkeyPatch.context() as patch:  # a small budget: walks that stop short, too
        patch.setattr(sorted_walk, "WALK_ENTRIES", entries)
        patch.setattr(sorted_walk, "ENTRIES_PER_RUN", 1)
        assert _ids(walk_store, text, order, experiment, limit, offset) == expected
    assert _ids(walk_store, text, order, experiment, limit, offset) == expected


def test_the_walk_fills_a_page_without_searching_through_the_filter(walk_store: Store) -> None:
    """The page comes from the walk itself when matches are common (what makes it fast)."""
    with pytest.MonkeyPatch.context() as patch:
        calls: list[int] = []
        original = sorted_walk.walk_page

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            rows = original(*args, **kwargs)
            calls.append(0 if rows is None else len(rows))
            return rows

        patch.setattr(run_reads, "walk_page", counted)
        found = walk_store.search_runs("params.opt = 'adam'", order_by="metrics.acc desc", limit=3)
    assert calls == [3]
    assert [run.metrics["acc"] for run in found] == [math.inf, math.inf, 0.9]
