"""The runs sidebar in a real JupyterLab, driven in Chromium: listing, filtering, detail,
charts, compare, delete, a tracked notebook cell, re-run, a broken store and a version
mismatch. One JupyterLab serves the whole module; the tests run in file order."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops
from jupyter_mlops.store import forget_stores, open_store
from jupyter_mlops.store.entities import ExecutedCell
from tests.support.browser import (
    SIDEBAR,
    SIDEBAR_TAB,
    Lab,
    open_lab_page,
    serving,
    track_run,
    wait_restored,
    write_notebook,
)

pytestmark = pytest.mark.slow

XSS_NAME = '<img src=x onerror="window.__mlopsXss = 1">'
XSS_NOTE = "<b>bold?</b><script>window.__mlopsXss = 2</script>"
WAIT_MS = 30_000
KERNEL_IDLE = """() => {
    const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
    return kernel?.status === 'idle';
}"""
RUN_WAIT_MS = 120_000


def populate(root: Path) -> dict[str, str]:
    """Runs of a small project, a notebook to track, and a folder whose store is damaged."""
    store_dir = root / ".mlops"
    store_dir.mkdir()

    def run(name: str, lr: float, opt: str, epochs: int, acc: float) -> str:
        losses = [1.0 / (step + 1) + lr for step in range(30)]
        accuracy = [acc - 0.3 + 0.3 * step / 29 for step in range(30)]
        return track_run(
            store_dir,
            name,
            experiment="churn",
            params={"lr": lr, "opt": opt, "epochs": epochs},
            metrics={"loss": losses, "acc": accuracy},
        )

    runs = {
        "baseline": run("baseline", 0.1, "adam", 10, 0.81),
        "wider": run("wider", 0.05, "adam", 20, 0.86),
        "sgd": run("sgd", 0.2, "sgd", 10, 0.78),
    }
    runs["xss"] = track_run(store_dir, XSS_NAME, experiment="other", params={"lr": 0.01})
    store = open_store(str(store_dir))
    store.update_run(runs["xss"], note=XSS_NOTE)
    store.set_snapshot(
        runs["baseline"],
        write_notebook(root / "snap-a.ipynb", "import model", "lr = 0.1\nfit(lr)", "report()"),
    )
    store.set_snapshot(
        runs["wider"],
        write_notebook(
            root / "snap-b.ipynb", "import model", "lr = 0.05\nfit(lr)", "plot()", "report()"
        ),
    )
    store.set_execution_record(
        runs["baseline"],
        [
            ExecutedCell(0, 1, "h1", "import model", out_of_order=False, stale=False),
            ExecutedCell(1, 3, "h2", "report()", out_of_order=True, stale=False),
            ExecutedCell(2, 2, "h3", "lr = 0.1\nfit(lr)", out_of_order=False, stale=True),
        ],
    )
    store.log_artifact_bytes(runs["baseline"], "model.txt", b"weights")
    forget_stores()

    write_notebook(
        root / "train.ipynb",
        "%load_ext jupyter_mlops",
        ("lr = 0.1\nepochs = 3", ["parameters"]),
        "import jupyter_mlops as mlops\n"
        "for step in range(epochs):\n"
        "    mlops.log_metric('loss', 1.0 / (step + 1) + lr, step=step)",
    )
    broken = root / "broken" / ".mlops"
    broken.mkdir(parents=True)
    (broken / "mlops.db").write_bytes(b"these bytes are not a database " * 200)
    write_notebook(root / "broken" / "notes.ipynb", "1 + 1")
    return runs


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    with serving(root, tmp_path_factory.mktemp("lab-home"), populate(root)) as lab:
        yield lab


@pytest.fixture(scope="module")
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    page = open_lab_page(browser, lab, wait_ms=WAIT_MS, accept_downloads=True)
    yield page
    page.context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def command(page: Any, name: str, args: dict[str, Any] | None = None) -> None:
    page.evaluate(
        "async ([name, args]) => { await window.jupyterapp.commands.execute(name, args); }",
        [name, args or {}],
    )


def rows(page: Any) -> Any:
    return page.locator(f"{SIDEBAR} tr[data-run-id]")


def row(page: Any, run_id: str) -> Any:
    return page.locator(f'{SIDEBAR} tr[data-run-id="{run_id}"]')


def show_sidebar(page: Any) -> None:
    """Click the sidebar's tab unless it is open already (a click would close it)."""
    tab = page.locator(SIDEBAR_TAB)
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    expect(page.locator(SIDEBAR)).to_be_visible()


def reset(page: Any) -> None:
    """Main area empty, sidebar shown with every experiment, no filter, nothing selected."""
    command(page, "application:close-all")
    show_sidebar(page)
    page.select_option(".jp-mlops-experiment-select", "")
    page.fill(".jp-mlops-filter-input", "")
    page.press(".jp-mlops-filter-input", "Enter")
    clear = page.locator(".jp-mlops-selection-bar button", has_text="Clear")
    if clear.count():
        clear.click()


def run_ids(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all(
            f"{SIDEBAR} tr[data-run-id]", "rows => rows.map(r => r.dataset.runId)"
        )
    )


def new_run(page: Any, before: set[str]) -> str:
    """The run that appeared in the sidebar since ``before`` was taken."""
    expect(rows(page)).to_have_count(len(before) + 1, timeout=RUN_WAIT_MS)
    (added,) = run_ids(page) - before
    return added


def select(page: Any, *run_ids: str) -> None:
    for run_id in run_ids:
        row(page, run_id).locator("input[type=checkbox]").check()


def test_commands_are_in_the_palette(page: Any) -> None:
    commands = page.evaluate(
        "() => window.jupyterapp.commands.listCommands().filter(c => c.startsWith('jupyter-mlops:'))"
    )
    assert {
        "jupyter-mlops:open",
        "jupyter-mlops:refresh",
        "jupyter-mlops:open-run",
        "jupyter-mlops:compare",
        "jupyter-mlops:rerun",
        "jupyter-mlops:delete",
        "jupyter-mlops:tag",
        "jupyter-mlops:open-snapshot",
        "jupyter-mlops:track-cell",
    } <= set(commands)
    command(page, "apputils:activate-command-palette")
    page.locator(".lm-CommandPalette-input:visible").fill("Compare Selected Runs")
    item = page.locator('.lm-CommandPalette-item[data-command="jupyter-mlops:compare"]')
    expect(item).to_contain_text("Compare Selected Runs")
    page.keyboard.press("Escape")


def test_sidebar_lists_filters_and_sorts(page: Any, lab: Lab, shots: Any) -> None:
    reset(page)
    expect(rows(page)).to_have_count(4)
    xss = row(page, lab.runs["xss"])
    expect(xss).to_contain_text(XSS_NAME)  # the name is text, not markup
    assert xss.locator("img").count() == 0
    assert page.evaluate("window.__mlopsXss") is None

    page.select_option(".jp-mlops-experiment-select", "churn")
    expect(rows(page)).to_have_count(3)

    page.fill(".jp-mlops-filter-input", "params.lr >= 0.1")
    page.press(".jp-mlops-filter-input", "Enter")
    expect(rows(page)).to_have_count(2)

    page.fill(".jp-mlops-filter-input", "metrics.acc >> 0.8")
    page.press(".jp-mlops-filter-input", "Enter")
    error = page.locator(".jp-mlops-filter-error")
    expect(error).to_contain_text("at character 14")
    expect(page.locator(".jp-mlops-filter-input")).to_have_attribute("aria-invalid", "true")
    expect(rows(page)).to_have_count(2)  # the last good result stays
    shots.take(page.locator(SIDEBAR), "sidebar-filter-error")

    page.fill(".jp-mlops-filter-input", "")
    page.press(".jp-mlops-filter-input", "Enter")
    expect(error).to_have_count(0)
    expect(rows(page)).to_have_count(3)

    header = page.locator(f'{SIDEBAR} th[data-field="metrics.acc"]')
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_have_attribute("data-run-id", lab.runs["wider"])
    header.click()
    expect(rows(page).first).to_have_attribute("data-run-id", lab.runs["sgd"])
    expect(row(page, lab.runs["baseline"])).to_contain_text("0.81")
    page.eval_on_selector(
        f"{SIDEBAR} .jp-mlops-table-wrapper", "table => { table.scrollLeft = 0; }"
    )
    shots.take(page, "sidebar", publish=True)


def test_run_detail_charts_edits_and_snapshot(page: Any, lab: Lab, shots: Any) -> None:
    reset(page)
    run_id = lab.runs["baseline"]
    row(page, run_id).locator("td", has_text="baseline").click()
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{run_id}"]')
    expect(detail).to_be_visible()
    expect(detail.locator(".jp-mlops-kv-table", has_text="opt")).to_contain_text("adam")
    chart = detail.locator('.jp-mlops-metric[data-metric="loss"] svg .mark-line path')
    expect(chart).to_have_count(1)
    expect(detail.locator(".jp-mlops-execution-record tr.jp-mlops-stale")).to_contain_text(
        "fit(lr)"
    )
    expect(detail.locator(".jp-mlops-execution-record tr.jp-mlops-out-of-order")).to_contain_text(
        "report()"
    )
    shots.take(page, "run-detail", publish=True)

    note = detail.locator('textarea[aria-label="Note"]')
    note.fill("<i>promising</i> but slow")
    detail.get_by_role("button", name="Save note").click()
    expect(detail.get_by_role("button", name="Save note")).to_be_disabled()
    detail.locator('input[aria-label="Tag name"]').fill("stage")
    detail.locator('input[aria-label="Tag value"]').fill("candidate")
    detail.get_by_role("button", name="Add tag").click()
    expect(detail.locator(".jp-mlops-tag", has_text="stage")).to_contain_text("candidate")
    name = detail.locator('input[aria-label="Run name"]')
    name.fill("baseline v2")
    name.press("Enter")
    expect(row(page, run_id)).to_contain_text("baseline v2")
    stored = lab.api(f"runs/{run_id}")
    assert (stored["name"], stored["note"], stored["tags"]) == (
        "baseline v2",
        "<i>promising</i> but slow",
        {"stage": "candidate"},
    )

    with page.expect_download() as download:
        detail.locator('tr[data-artifact="model.txt"] button').click()
    assert Path(download.value.path()).read_bytes() == b"weights"

    detail.get_by_role("button", name="Open snapshot").click()
    snapshot = page.locator(".jp-mlops-snapshot:visible")
    expect(snapshot.locator(".jp-Cell")).to_have_count(3)
    expect(snapshot.locator(".jp-Cell").nth(1)).to_contain_text("fit(lr)")
    editor = snapshot.locator(".cm-content").nth(1)
    expect(editor).to_have_attribute("aria-readonly", "true")
    editor.click()
    page.keyboard.type("zzz")
    expect(editor).not_to_contain_text("zzz")
    shots.take(page, "snapshot")

    command(page, "jupyter-mlops:open-run", {"id": lab.runs["xss"], "path": ""})
    xss = page.locator(f'.jp-mlops-detail-body[data-run-id="{lab.runs["xss"]}"]')
    expect(xss.locator('textarea[aria-label="Note"]')).to_have_value(XSS_NOTE)
    expect(xss.locator('input[aria-label="Run name"]')).to_have_value(XSS_NAME)
    assert xss.locator("b, script, img").count() == 0
    assert page.evaluate("window.__mlopsXss") is None


def test_compare_runs(page: Any, lab: Lab, shots: Any) -> None:
    reset(page)
    select(page, lab.runs["baseline"], lab.runs["wider"])
    page.locator(".jp-mlops-compare-button").click()
    view = page.locator(".jp-mlops-compare-body:visible")
    expect(view.locator('.jp-mlops-params-diff tr[data-key="lr"]')).to_have_class(
        re.compile("jp-mlops-differs")
    )
    expect(view.locator('.jp-mlops-params-diff tr[data-key="opt"]')).not_to_have_class(
        re.compile("jp-mlops-differs")
    )
    expect(view.locator('.jp-mlops-metrics-diff tr[data-key="acc"]')).to_contain_text("0.86")
    expect(view.locator(".jp-mlops-chart svg .mark-line path")).to_have_count(2)
    expect(view.locator(".jp-mlops-cell-diff .jp-mlops-diff-add")).to_contain_text(
        ["lr = 0.05", "plot()"]
    )
    expect(view.locator(".jp-mlops-cell-diff .jp-mlops-diff-del")).to_contain_text(["lr = 0.1"])
    shots.take(page, "compare", publish=True)

    command(page, "application:close-all")
    select(page, lab.runs["sgd"])
    page.locator(".jp-mlops-compare-button").click()
    view = page.locator(".jp-mlops-compare-body:visible")
    expect(view).to_contain_text("Comparing 3 runs")
    parallel = view.locator(".jp-mlops-parallel")
    expect(parallel.locator("svg .mark-line path")).to_have_count(3)
    parallel.scroll_into_view_if_needed()
    shots.take(parallel, "compare-parallel", publish=True)


def test_delete_asks_first(page: Any, lab: Lab) -> None:
    reset(page)
    doomed = lab.runs["sgd"]
    select(page, doomed)
    page.locator(".jp-mlops-selection-bar button", has_text="Delete").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(page, doomed)).to_have_count(1)
    page.locator(".jp-mlops-selection-bar button", has_text="Delete").click()
    page.locator(".jp-Dialog .jp-mod-warn").click()
    expect(row(page, doomed)).to_have_count(0)
    assert lab.api(f"runs/{doomed}")["status"] == 404


def test_a_tracked_cell_shows_up_in_the_sidebar(page: Any, lab: Lab, shots: Any) -> None:
    reset(page)
    before = {run["id"] for run in lab.api("runs?limit=1000")["runs"]}  # the server's list, not a half-loaded page
    expect(rows(page)).to_have_count(len(before))
    command(page, "docmanager:open", {"path": "train.ipynb"})
    notebook = page.locator(".jp-NotebookPanel:visible")
    cells = notebook.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(3)
    page.wait_for_function(KERNEL_IDLE, timeout=RUN_WAIT_MS)
    cells.nth(0).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(1).locator(".jp-InputPrompt")).to_have_text(
        re.compile(r"\[\d+\]"), timeout=RUN_WAIT_MS
    )

    notebook.locator(".jp-mlops-track-cell-button").click()
    expect(cells.nth(2).locator(".cm-content")).to_contain_text("%%track")
    command(page, "notebook:run-cell")
    tracked = new_run(page, before)
    expect(row(page, tracked)).to_have_attribute("data-status", "finished", timeout=RUN_WAIT_MS)
    run = lab.api(f"runs/{tracked}")
    assert run["source"] == "cell"
    assert run["notebook_path"].endswith("train.ipynb")
    assert run["params"]["lr"] == 0.1
    assert "loss" in run["metric_keys"]
    lab.runs["tracked"] = tracked
    shots.take(page, "tracked-cell", publish=True)


def test_rerun_with_an_edited_param_shows_the_new_run(page: Any, lab: Lab, shots: Any) -> None:
    runner = importlib.import_module("jupyter_mlops.runner")
    if not hasattr(runner, "rerun"):
        pytest.skip("jupyter_mlops.runner.rerun does not exist yet")
    tracked = lab.runs.get("tracked")
    if tracked is None:
        pytest.skip("needs the run tracked by test_a_tracked_cell_shows_up_in_the_sidebar")
    reset(page)
    before = run_ids(page)
    select(page, tracked)
    page.locator(".jp-mlops-selection-bar button", has_text="Re-run").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator('input[data-param="lr"]').fill("0.5")
    dialog.locator(".jp-mod-accept").click()
    new = new_run(page, before)
    expect(row(page, new)).to_have_attribute("data-status", "finished", timeout=RUN_WAIT_MS)
    rerun = lab.api(f"runs/{new}")
    assert rerun["params"]["lr"] == 0.5
    shots.take(page, "rerun")


def test_the_sidebar_follows_the_notebook_and_explains_a_broken_store(
    page: Any, lab: Lab, shots: Any
) -> None:
    reset(page)
    command(page, "docmanager:open", {"path": "broken/notes.ipynb"})
    problem = page.locator(f"{SIDEBAR} .jp-mlops-problem")
    expect(problem).to_contain_text("The run store cannot be opened")
    expect(problem).to_contain_text("not a database")
    expect(page.locator(f"{SIDEBAR} .jp-mlops-store")).to_have_text("/broken")
    shots.take(page.locator(SIDEBAR), "broken-store")
    command(page, "docmanager:open", {"path": "train.ipynb"})
    expect(problem).to_have_count(0)
    expect(page.locator(f"{SIDEBAR} .jp-mlops-store")).to_have_text("/")
    expect(rows(page).first).to_be_visible()


def test_a_version_mismatch_is_said_clearly(browser: Any, lab: Lab, shots: Any) -> None:
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    page.set_default_timeout(WAIT_MS)
    reply = {"version": "0.0.1", "store": str(lab.root / ".mlops"), "store_exists": True}
    page.route(
        re.compile(r".*/mlops/api/info(\?.*)?$"),
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(reply)
        ),
    )
    try:
        page.goto(f"{lab.url}lab?token={lab.token}")
        wait_restored(page)
        show_sidebar(page)
        notice = page.locator(f"{SIDEBAR} .jp-mlops-notice")
        expect(notice).to_contain_text("Version mismatch")
        expect(notice).to_contain_text("0.0.1")
        expect(notice).to_contain_text(jupyter_mlops.__version__)
        shots.take(page.locator(SIDEBAR), "version-mismatch")
    finally:
        page.context.close()
