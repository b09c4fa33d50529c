"""The detail view of a run and the compare view of several, opened from the browser."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from jupyter_mlops.render.palette import run_colour, run_colours
from jupyter_mlops.store.entities import ExecutedCell
from jupyter_mlops.widgets import RunBrowser
from jupyter_mlops.widgets.compare import diff_rows
from jupyter_mlops.widgets.detail import METRICS_TAB

needs_charts = pytest.mark.skipif(
    importlib.util.find_spec("plotly") is None or importlib.util.find_spec("anywidget") is None,
    reason="charts need plotly and anywidget: pip install -e '.[plot]'",
)


@pytest.fixture
def detailed_run(make_run, store):  # type: ignore[no-untyped-def]
    run_id = make_run(
        "train <v2>",
        params={"lr": 0.01, "layers": [64, 32], "opt": "adam"},
        losses=[0.9, 0.5, 0.3],
        tags={"stage": "dev & test"},
    )
    store.log_artifact_bytes(run_id, "model.bin", b"\x00" * 2048)
    store.set_execution_record(
        run_id,
        [
            ExecutedCell(0, 1, "a" * 64, "import numpy as np", out_of_order=False, stale=False),
            ExecutedCell(
                2, 2, "b" * 64, "lr = 0.01\nmodel = fit(lr)", out_of_order=False, stale=True
            ),
            ExecutedCell(1, 3, "c" * 64, "data = load('<file>')", out_of_order=True, stale=False),
        ],
    )
    return run_id


def test_opening_a_run_shows_its_facts_params_tags_record_and_artifacts(
    detailed_run, store_dir
) -> None:
    browser = RunBrowser(store=store_dir)
    assert browser.views.layout.display == "none"
    browser.table.open_row(0)
    detail = browser.detail
    assert browser.views.layout.display is None and browser.views.selected_index == 0
    assert "train &lt;v2&gt;" in detail.facts.value and detailed_run in detail.facts.value
    assert ">finished<" in detail.facts.value
    assert "<td" in detail.params.value and "[64, 32]" in detail.params.value
    assert "dev &amp; test" in detail.tags.value
    record = detail.execution.value
    assert record.count('class="mlops-cell"') == 1
    assert 'class="mlops-cell stale"' in record and 'class="mlops-cell out-of-order"' in record
    assert ">stale<" in record and ">out of order<" in record
    assert "load(&#x27;&lt;file&gt;&#x27;)" in record
    assert "model.bin" in detail.artifacts.value and "2.0 KB" in detail.artifacts.value


@needs_charts
def test_the_metrics_tab_charts_the_step_history(detailed_run, store, store_dir, make_run) -> None:
    browser = RunBrowser(store=store_dir)
    browser.open_run(detailed_run)
    detail = browser.detail
    assert detail.figure is None, "the chart is built when its tab is opened"
    assert "0.3" in detail.metrics.value
    detail.tabs.selected_index = METRICS_TAB
    [trace] = detail.figure.data
    assert list(trace.x) == [0, 1, 2] and list(trace.y) == [0.9, 0.5, 0.3]
    own = store.get_run(detailed_run).colour_slot
    assert trace.line.color == run_colour(detailed_run, own)  # the colour the sidebar gives it
    assert detail.chart_box.children == (detail.figure,)
    other = make_run("other", losses=[5.0, 4.0])
    browser.open_run(other)
    [trace] = detail.figure.data
    assert list(trace.y) == [5.0, 4.0] and "other" in detail.facts.value
    assert trace.line.color == run_colour(other, store.get_run(other).colour_slot)
    assert trace.line.color != run_colour(detailed_run, own)  # made next: the next colour


def test_a_failed_run_shows_its_error_and_a_run_without_metrics_says_so(
    make_run, store, store_dir
) -> None:
    run_id = make_run("broken", status="failed")
    store.end_run(
        run_id,
        "failed",
        error={
            "ename": "ValueError",
            "evalue": "bad <input>",
            "cell": 3,
            "traceback": "Traceback ...\nValueError: bad <input>",
        },
    )
    browser = RunBrowser(store=store_dir)
    browser.open_run(run_id)
    facts = browser.detail.facts.value
    assert (
        "ValueError: bad &lt;input&gt; (cell 3)" in facts and "Traceback ...\nValueError" in facts
    )
    browser.detail.tabs.selected_index = METRICS_TAB
    assert "no metric was logged" in browser.detail.chart_message.value
    assert browser.detail.chart_box.children == ()
    assert "no execution record" in browser.detail.execution.value
    assert "no artifacts" in browser.detail.artifacts.value


@needs_charts
def test_nan_and_infinite_points_become_gaps_in_the_chart(make_run, store_dir) -> None:
    run_id = make_run("diverged", losses=[1.0, float("nan"), float("inf"), 0.5])
    browser = RunBrowser(store=store_dir)
    browser.open_run(run_id)
    browser.detail.tabs.selected_index = METRICS_TAB
    [trace] = browser.detail.figure.data
    assert list(trace.x) == [0, 1, 2, 3] and list(trace.y) == [1.0, None, None, 0.5]
    assert ">0.5<" in browser.detail.metrics.value, "the last value is the one of the highest step"


def test_without_plotly_the_chart_says_how_to_get_it(make_run, store_dir, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)  # import fails as if missing
    run_id = make_run("a", losses=[1.0])
    browser = RunBrowser(store=store_dir)
    browser.open_run(run_id)
    browser.detail.tabs.selected_index = METRICS_TAB
    message = browser.detail.chart_message.value
    assert "metric charts need plotly and anywidget" in message
    assert "pip install &#x27;jupyter-mlops[plot]&#x27;" in message
    assert browser.detail.chart_box.children == () and ">1<" in browser.detail.metrics.value


def test_opening_an_unknown_run_says_so(store_dir, make_run) -> None:
    make_run("a")
    browser = RunBrowser(store=store_dir)
    browser.open_run("doesnotexist")
    assert "no run with id &#x27;doesnotexist&#x27;" in browser.status.value


def test_differences_are_found_per_key_and_a_missing_key_counts_as_one(make_run, store) -> None:
    a = store.get_run(make_run("a", params={"lr": 0.1, "opt": "adam", "seed": 1}))
    b = store.get_run(make_run("b", params={"lr": 0.2, "opt": "adam"}))
    rows = {row.key: row for row in diff_rows([a, b], "params")}
    assert rows["lr"].values == ["0.1", "0.2"] and rows["lr"].differs
    assert not rows["opt"].differs
    assert rows["seed"].values == ["1", "—"] and rows["seed"].differs
    assert [row.key for row in diff_rows([a, b], "params", only_differences=True)] == ["lr", "seed"]


@needs_charts
def test_comparing_ticked_runs_highlights_differences_and_overlays_their_metric(
    make_run, store_dir
) -> None:
    make_run("a", params={"lr": 0.1, "opt": "adam"}, losses=[1.0, 0.5])
    make_run("b", params={"lr": 0.2, "opt": "adam"}, losses=[2.0, 1.5, 1.0])
    make_run("c", params={"lr": 0.3, "opt": "adam"}, losses=[3.0])
    browser = RunBrowser(store=store_dir)
    browser.table.select_row(0)
    browser.table.select_row(2)
    browser.compare_button.click()
    view = browser.comparison
    assert browser.views.selected_index == 1
    assert [run.name for run in view.runs] == ["c", "a"]
    params = view.params.value
    assert params.count('class="mlops-differs"') == 1 and params.count('class="mlops-same"') == 1
    differing = params.split('class="mlops-differs"')[1].split("</tr>")[0]
    assert "<b>lr</b>" in differing and "0.3" in differing and "0.1" in differing
    assert [trace.name for trace in view.figure.data] == [
        f"c ({view.runs[0].id})",
        f"a ({view.runs[1].id})",
    ]
    assert [list(trace.y) for trace in view.figure.data] == [[3.0], [1.0, 0.5]]
    colours = run_colours([(r.id, r.colour_slot) for r in view.runs])  # the sidebar's compare colours
    assert [trace.line.color for trace in view.figure.data] == [colours[r.id] for r in view.runs]
    assert colours == {r.id: run_colour(r.id, r.colour_slot) for r in view.runs}  # each its own
    view.only_differences.value = True
    assert "opt" not in view.params.value and "lr" in view.params.value


def test_compare_asks_for_two_runs(make_run, store_dir) -> None:
    make_run("a")
    browser = RunBrowser(store=store_dir)
    browser.select(browser.page.runs[0].id)
    browser.compare_selected()
    assert "select two or more runs" in browser.status.value


def test_the_reproducibility_verdict_is_a_badge_in_the_table_and_the_detail(make_run, store_dir) -> None:
    from ipywidgets import HTML

    checked = make_run("checked", tags={"mlops.reproduced": "no"})
    make_run("never checked")
    browser = RunBrowser(store=store_dir)
    cells = [c.value for c in browser.table.grid.children if isinstance(c, HTML)]
    badges = [c for c in cells if 'class="mlops-reproduced"' in c]
    assert len(badges) == 1 and ">differs<" in badges[0]  # only the run that was checked
    browser.open_run(checked)
    assert 'class="mlops-reproduced"' in browser.detail.facts.value and ">differs<" in browser.detail.facts.value
