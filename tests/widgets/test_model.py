"""What the browser shows, decided without widgets: columns, sorting, pages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupyter_mlops.errors import FilterSyntaxError
from jupyter_mlops.store.entities import Run
from jupyter_mlops.widgets.model import Query, cell_text, choose_columns, fetch_page, key_field


def _run(run_id: str, params: dict, metrics: dict, duration: float | None = 12.5) -> Run:
    return Run(
        id=run_id,
        name=f"name-{run_id}",
        experiment="e",
        status="finished",
        parent_id=None,
        started_at=1_000.0,
        ended_at=None if duration is None else 1_000.0 + duration,
        params=params,
        metrics=metrics,
    )


def test_importing_the_package_or_its_widgets_module_loads_no_widget_library() -> None:
    code = (
        "import sys, jupyter_mlops, jupyter_mlops.widgets; "
        "print(sorted(m for m in ('ipywidgets', 'plotly', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_keys_are_written_so_the_filter_language_reads_them_back() -> None:
    assert key_field("params", "lr") == "params.lr"
    assert key_field("metrics", "val loss") == "metrics.`val loss`"
    assert key_field("metrics", "val.loss") == "metrics.`val.loss`"
    assert key_field("params", "a`b") is None


def test_columns_hold_the_page_keys_without_system_metrics_and_always_the_sorted_one() -> None:
    runs = [
        _run("a", {"lr": 0.1, "opt": "adam"}, {"loss": 0.5, "system/cpu": 3.0}),
        _run("b", {"lr": 0.2, "depth": 3}, {"acc": 0.9}),
    ]
    labels = [c.label for c in choose_columns(runs)]
    assert labels == [
        "name",
        "experiment",
        "status",
        "started",
        "duration",
        "params.depth",
        "params.lr",
        "params.opt",
        "metrics.acc",
        "metrics.loss",
    ]
    few = [c.label for c in choose_columns(runs, sort_field="params.opt", max_keys=1)]
    assert "params.depth" in few and "params.opt" in few and "params.lr" not in few


def test_cells_show_formatted_values_and_blanks_for_missing_keys() -> None:
    run = _run("a", {"lr": 0.1, "layers": [1, 2]}, {"loss": float("nan")})
    columns = {c.label: c for c in choose_columns([run, _run("b", {"other": True}, {})])}
    assert cell_text(run, columns["params.lr"]) == "0.1"
    assert cell_text(run, columns["params.layers"]) == "[1, 2]"
    assert cell_text(run, columns["params.other"]) == ""
    assert cell_text(run, columns["metrics.loss"]) == "nan"
    assert cell_text(run, columns["duration"]) == "12.5s"
    assert cell_text(_run("c", {}, {}, duration=None), columns["duration"]) == "-"


def test_clicking_the_same_field_turns_the_order_round_and_a_new_field_starts_sensibly() -> None:
    query = Query(page=3)
    assert (query.sort_field, query.descending) == ("started_at", True)
    again = query.sorted_by("started_at")
    assert again.order_by == "started_at asc" and again.page == 0
    assert query.sorted_by("name").order_by == "name asc"
    assert query.sorted_by("metrics.acc").order_by == "metrics.acc desc"
    assert query.with_changes(filter="status = 'failed'").page == 0
    assert query.with_changes(page=5).page == 5


def test_pages_count_all_matching_runs_and_a_page_past_the_end_falls_back(make_run, store) -> None:
    ids = [make_run(f"r{i}", params={"i": i}) for i in range(7)]
    page = fetch_page(store, Query(page_size=10))
    assert page.total == 7 and [r.id for r in page.runs] == ids[::-1]
    assert page.label == "1–7 of 7" and not page.has_next and not page.has_previous
    third = fetch_page(store, Query(page_size=3, page=2, sort_field="params.i", descending=False))
    assert (
        [r.name for r in third.runs] == ["r6"] and third.label == "7–7 of 7" and third.has_previous
    )
    beyond = fetch_page(store, Query(page_size=3, page=9))
    assert beyond.query.page == 2 and len(beyond.runs) == 1
    assert fetch_page(store, Query(filter="params.i > 100")).label == "no runs"
    with pytest.raises(FilterSyntaxError):
        fetch_page(store, Query(filter="params.i >"))
