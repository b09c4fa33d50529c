"""The run browser driven as a user would, in-process: table, sorting, paging, filter,
experiments, selection, and its plain-text form."""

from __future__ import annotations

import pytest
from ipywidgets import HTML

from jupyter_mlops.widgets import RunBrowser


@pytest.fixture
def ten_runs(make_run, store_dir):  # type: ignore[no-untyped-def]
    """Ten finished runs, r0 (oldest) to r9, in experiments "even" and "odd"."""
    return [
        make_run(
            f"r{i}",
            experiment="even" if i % 2 == 0 else "odd",
            params={"lr": round(0.1 * (10 - i), 1), "opt": "adam" if i < 5 else "sgd"},
            losses=[1.0 / (i + 1)],
        )
        for i in range(10)
    ]


def names(browser: RunBrowser) -> list[str]:
    return [row[1] for row in browser.table.row_texts()]


def test_opens_on_the_newest_runs_with_their_params_and_metrics(ten_runs, store_dir) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    assert browser.table.header_labels == [
        "id",
        "name",
        "experiment",
        "status",
        "started ▼",
        "duration",
        "params.lr",
        "params.opt",
        "metrics.loss",
    ]
    rows = browser.table.row_texts()
    assert [row[0] for row in rows] == ten_runs[::-1]
    assert rows[0][1:4] == ["r9", "odd", "finished"]
    assert rows[0][6:] == ["0.1", "sgd", "0.1"]
    assert browser.pager.label.value.endswith(">1–10 of 10</span>")
    assert browser.experiment.options == (("all experiments", ""), ("even", "even"), ("odd", "odd"))
    assert browser.experiment.label == "all experiments"


def test_user_text_is_escaped_in_every_cell(make_run, store_dir) -> None:
    make_run("<img src=x onerror=alert(1)>", params={"note": "<b>bold</b>"}, tags={"k": "<i>"})
    browser = RunBrowser(store=store_dir)
    markup = "".join(
        child.value for child in browser.table.grid.children if isinstance(child, HTML)
    )
    assert "<img" not in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert "<b>bold" not in markup and "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert browser.table.row_texts()[0][1] == "<img src=x onerror=alert(1)>"


def test_header_clicks_sort_and_a_second_click_reverses(ten_runs, store_dir) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    browser.table.click_header("params.lr")
    assert names(browser) == [
        f"r{i}" for i in range(9, -1, -1)
    ]  # lr ascending: r9 has the smallest
    assert "params.lr ▲" in browser.table.header_labels and browser.sort.value == "params.lr"
    browser.table.click_header("params.lr")
    assert names(browser)[0] == "r0" and "params.lr ▼" in browser.table.header_labels
    assert browser.direction.value is True


def test_the_sort_dropdown_and_direction_sort_too(ten_runs, store_dir) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    assert ("metrics.loss", "metrics.loss") in browser.sort.options
    browser.sort.value = "metrics.loss"
    assert names(browser)[0] == "r0"  # the largest loss first
    browser.direction.value = False
    assert names(browser)[0] == "r9" and browser.query.order_by == "metrics.loss asc"
    assert "metrics.loss ▲" in browser.table.header_labels


def test_paging_builds_one_page_and_reuses_its_widgets(make_run, store_dir, front_end) -> None:
    for i in range(23):
        make_run(f"run-{i:02d}", params={"i": i})
    browser = RunBrowser(store=store_dir, page_size=10)
    assert browser.pager.previous.disabled and not browser.pager.next.disabled
    assert len(browser.table.shown_run_ids) == 10
    opened = len(front_end.opened)
    sent = len(front_end.sent)
    browser.pager.next.click()
    assert names(browser)[0] == "run-12" and "11–20 of 23" in browser.pager.label.value
    assert len(front_end.opened) == opened, "a new page must reuse the row widgets"
    assert len(front_end.sent) > sent, "the new rows' values must reach the front end"
    browser.pager.next.click()
    assert names(browser) == ["run-02", "run-01", "run-00"] and browser.pager.next.disabled
    # the header row, then three rows: box, id, 5 run columns and params.i
    assert len(browser.table.grid.children) == 4 * 8
    browser.pager.previous.click()
    assert "11–20 of 23" in browser.pager.label.value
    browser.pager.size.value = 25
    assert "1–23 of 23" in browser.pager.label.value and browser.pager.next.disabled


def test_a_filter_narrows_the_runs_and_a_bad_one_is_explained_under_the_box(
    ten_runs, store_dir
) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    browser.filter_box.value = "params.opt = 'adam' and metrics.loss < 0.4"
    assert names(browser) == ["r4", "r3", "r2"] and browser.filter_error.value == ""
    browser.filter_box.value = "params.opt = 'adam' and metrics.loss <"
    error = browser.filter_error.value
    assert "filter error: expected a value" in error
    assert "params.opt = &#x27;adam&#x27; and metrics.loss &lt;\n" + " " * 38 + "^" in error
    assert names(browser) == ["r4", "r3", "r2"], "the table keeps the last good result"
    browser.table.click_header("name")
    assert names(browser) == ["r2", "r3", "r4"], "sorting applies to the last good filter"
    assert "expected a value" in browser.filter_error.value, (
        "the error stays while the box is wrong"
    )
    assert browser.filter_box.value == "params.opt = 'adam' and metrics.loss <"
    browser.filter_box.value = "nonsense = 1"
    assert "unknown field &#x27;nonsense&#x27;" in browser.filter_error.value
    browser.filter_box.value = ""
    assert browser.filter_error.value == "" and len(names(browser)) == 10


def test_the_filter_given_at_start_applies_and_a_bad_one_shows_at_once(ten_runs, store_dir) -> None:
    assert names(RunBrowser(filter="name IN ('r1', 'r7')", store=store_dir)) == ["r7", "r1"]
    bad = RunBrowser(filter="status = ", store=store_dir)
    assert "filter error" in bad.filter_error.value and bad.filter_box.value == "status ="


def test_the_experiment_dropdown_limits_the_runs(ten_runs, store_dir) -> None:
    browser = RunBrowser(experiment="odd", store=store_dir)
    assert names(browser) == ["r9", "r7", "r5", "r3", "r1"] and browser.experiment.value == "odd"
    browser.experiment.value = "even"
    assert names(browser) == ["r8", "r6", "r4", "r2", "r0"]
    browser.experiment.value = ""  # "all experiments"
    assert len(names(browser)) == 10


def test_ticked_runs_stay_ticked_across_pages_and_enable_compare(ten_runs, store_dir) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    assert browser.compare_button.disabled and browser.clear_button.disabled
    browser.table.select_row(0)
    assert list(browser.selected) == [ten_runs[9]] and browser.compare_button.disabled
    browser.table.select_row(3)
    assert (
        list(browser.selected) == [ten_runs[9], ten_runs[6]] and not browser.compare_button.disabled
    )
    assert "2 selected" in browser.selection_label.value
    browser.table.click_header("name")  # r0 first now
    assert names(browser)[0] == "r0"
    assert sorted(browser.table.ticked_run_ids()) == sorted([ten_runs[9], ten_runs[6]])
    browser.table.select_row(browser.table.shown_run_ids.index(ten_runs[9]), False)
    assert list(browser.selected) == [ten_runs[6]]
    browser.clear_button.click()
    assert browser.selected == {} and browser.table.ticked_run_ids() == []


def test_an_empty_store_says_how_to_make_runs(store_dir) -> None:
    browser = RunBrowser(store=store_dir)
    assert "No runs yet" in browser.table.message.value and browser.pager.label.value.endswith(
        ">no runs</span>"
    )
    browser.filter_box.value = "status = 'failed'"
    assert "No runs match" in browser.table.message.value


def test_front_ends_without_widgets_get_the_page_as_text(ten_runs, store_dir) -> None:
    browser = RunBrowser(store=store_dir, page_size=10)
    bundle = browser._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    lines = bundle["text/plain"].splitlines()
    assert lines[0].split()[:4] == ["id", "name", "experiment", "status"]
    assert lines[2].split()[:2] == [ten_runs[9], "r9"] and lines[-1] == "1–10 of 10"


def test_show_runs_displays_a_browser(ten_runs, store_dir, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    from jupyter_mlops.widgets import show_runs

    assert show_runs("params.opt = 'sgd'", store=store_dir) is None
    [browser] = shown
    assert isinstance(browser, RunBrowser) and names(browser) == ["r9", "r8", "r7", "r6", "r5"]


def test_a_wrong_page_size_is_refused_with_the_choices(store_dir) -> None:
    with pytest.raises(ValueError, match="page_size must be one of 10, 25, 50, 100"):
        RunBrowser(store=store_dir, page_size=7)


def test_closing_closes_every_widget_it_made(ten_runs, store_dir, front_end) -> None:
    browser = RunBrowser(store=store_dir)
    browser.open_run(ten_runs[0])
    browser.table.select_row(0)
    browser.table.select_row(1)
    browser.compare_selected()
    browser.close()
    opened = {c.comm_id for c in front_end.opened}
    assert len(opened) > 100
    assert opened - set(front_end.closed) == set()
