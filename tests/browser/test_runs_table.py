"""The runs table at the sidebar's default width, in Chromium: the Name column stays while the
table scrolls sideways, the default columns are the params that vary and the metric, headers
are grouped, tags can be columns, a sweep's children nest under it, same-named runs are told
apart, the view is remembered per experiment; and all of it works from the keyboard. One
JupyterLab and one page serve the module; the tests run in file order."""

from __future__ import annotations

import array
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import forget_stores, open_store
from jupyter_mlops.store.ids import new_run_id
from tests.browser.test_sidebar import command, expect, show_sidebar
from tests.support.browser import SIDEBAR, Lab, serving, wait_restored, wait_until_resolved
from tests.support.runner import wait_until, write_notebook

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
DATA = "/data/projects/churn/customers-2026-11.parquet"


def populate(root: Path) -> dict[str, Any]:
    """A sweep of three `train` runs under its parent, two lone runs (one tagged), in `churn`;
    every run has the same (alphabetically first) data path, the sweep varies lr."""
    store = open_store(str(root / ".mlops"))
    now = time.time()
    series: dict[tuple[str, str], Any] = {}

    def make(name: str, params: dict[str, Any], parent: str | None = None, **metrics: float) -> str:
        run_id = new_run_id()
        store.create_run(run_id, name=name, experiment="churn", parent_id=parent,
                         params={"a_data": DATA, **params})
        for key, value in metrics.items():
            series[(run_id, key)] = (array.array("q", [0]), array.array("d", [value]),
                                     array.array("d", [now]))
        return run_id

    parent = make("sweep train", {"epochs": 10})
    children = [make("train", {"lr": lr, "epochs": 10}, parent, loss=loss, acc=1 - loss)
                for lr, loss in ((0.1, 0.31), (0.2, 0.22), (0.4, 0.45))]
    baseline = make("baseline", {"lr": 0.05, "epochs": 20}, loss=0.5, acc=0.5, a_first=1.0)
    tagged = make("tuned", {"lr": 0.3, "epochs": 20}, loss=0.2, acc=0.8)
    store.set_tags(tagged, {"stage": "prod"})
    store.write_metrics(series)
    for run_id in [*children, parent, baseline, tagged]:
        store.end_run(run_id)
    # a notebook run to re-run (in its own experiment, where opt took three values), and a
    # run whose notebook lies outside the server root (a project copied from elsewhere)
    for opt in ("sgd", "rmsprop"):
        store.create_run(new_run_id(), name=f"old {opt}", experiment="fit", params={"opt": opt})
    elsewhere = root.parent / f"{root.name}-elsewhere" / "train.ipynb"
    elsewhere.parent.mkdir()
    elsewhere.write_text("{}")
    outside = new_run_id()
    store.create_run(outside, name="copied", experiment="fit", source="notebook",
                     notebook_path=str(elsewhere))
    store.end_run(outside)
    forget_stores()
    from jupyter_mlops.runner import run_notebook

    notebook = write_notebook(
        root / "fit.ipynb",
        'lr = 0.05\nalpha = 0.0001\nepochs = 10\nopt = "adam"\nshuffle = True',
        "import jupyter_mlops as mlops\nmlops.log_metric('loss', lr * epochs)",
    )
    fit = run_notebook(notebook, name="train lr=0.05 alpha=0.0001", experiment="fit",
                       store=str(root / ".mlops"))
    assert fit.status == "finished", fit.error
    forget_stores()
    return {"parent": parent, "children": children, "baseline": baseline, "tagged": tagged,
            "fit": fit.id, "outside": outside}


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("table-root")
    with serving(root, tmp_path_factory.mktemp("table-home"), populate(root)) as lab:
        yield lab


def open_page(context: Any, lab: Lab) -> Any:
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{lab.url}lab?token={lab.token}")
    wait_restored(page)
    return page


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture(scope="module")
def page(context: Any, lab: Lab) -> Any:
    return open_page(context, lab)


def row(page: Any, run_id: str) -> Any:
    return page.locator(f'{SIDEBAR} tr[data-run-id="{run_id}"]')


def header(page: Any, field: str) -> Any:
    return page.locator(f'{SIDEBAR} th[data-field="{field}"]')


def sidebar_width(page: Any) -> float:
    return page.locator(SIDEBAR).bounding_box()["width"]


def test_the_table_fits_the_sidebar(page: Any, lab: Lab, shots: Any) -> None:
    show_sidebar(page)
    assert 340 <= sidebar_width(page) <= 380, "JupyterLab's default sidebar width"
    page.select_option(".jp-mlops-experiment-select", "churn")
    runs = lab.runs
    # top level: the sweep's parent and the lone runs; its children wait under it
    expect(page.locator(f"{SIDEBAR} tr[data-run-id]")).to_have_count(3)
    expect(row(page, runs["children"][0])).to_have_count(0)
    # default columns: the params that vary (not the constant, alphabetically first data
    # path) and one metric (the one most runs have, not the alphabetically first)
    expect(header(page, "params.lr")).to_have_count(1)
    expect(header(page, "params.epochs")).to_have_count(1)
    expect(header(page, "params.a_data")).to_have_count(0)
    expect(header(page, "metrics.a_first")).to_have_count(0)
    groups = page.locator(f"{SIDEBAR} .jp-mlops-group-row th")
    expect(groups).to_have_text(["", "", "Params", "Metrics", ""])

    parent = row(page, runs["parent"])
    expect(parent.locator(".jp-mlops-child-count")).to_have_text("3")
    parent.locator(".jp-mlops-expand").click()
    for child in runs["children"]:
        expect(row(page, child)).to_have_attribute("data-depth", "1")
    # the three children share a name: the param that differs tells them apart
    expect(row(page, runs["children"][1]).locator(".jp-mlops-name-suffix")).to_have_text("lr=0.2")
    expect(row(page, runs["baseline"]).locator(".jp-mlops-name-suffix")).to_have_count(0)

    # sorting by a metric keeps the children under their parent
    expect(header(page, "metrics.loss")).to_have_count(0)  # acc and loss tie: one metric shown
    header(page, "metrics.acc").locator("button").click()
    expect(header(page, "metrics.acc")).to_have_attribute("aria-sort", "descending")
    children = page.locator(f"{SIDEBAR} tr[data-depth='1']")
    expect(children.first).to_have_attribute("data-run-id", runs["children"][1])
    order = page.eval_on_selector_all(f"{SIDEBAR} tr[data-run-id]", "rs => rs.map(r => r.dataset.runId)")
    kids = [order.index(child) for child in runs["children"]]
    assert order.index(runs["parent"]) < kids[1] < kids[0] < kids[2]

    # a tag as a column, under its own group header
    page.locator(f"{SIDEBAR} .jp-mlops-columns summary").click()
    page.locator(f"{SIDEBAR} .jp-mlops-column-choice", has_text="tags.stage").locator("input").check()
    page.locator(f"{SIDEBAR} .jp-mlops-columns summary").click()
    expect(row(page, runs["tagged"]).locator("td.jp-mlops-col-tags")).to_have_text("prod")
    expect(groups).to_have_text(["", "", "Params", "Metrics", "Tags", ""])

    # the checkbox and Name columns stay put while the table scrolls right
    name_cell = row(page, runs["baseline"]).locator(".jp-mlops-name-cell")
    before = name_cell.bounding_box()
    wrapper = page.locator(f"{SIDEBAR} .jp-mlops-table-wrapper")
    scrolled = wrapper.evaluate("w => { w.scrollLeft = w.scrollWidth; return w.scrollLeft; }")
    assert scrolled > 50, "the columns do not fit: the table scrolls"
    page.wait_for_function(
        "w => w.scrollLeft > 50", arg=wrapper.element_handle()
    )
    after = name_cell.bounding_box()
    assert abs(after["x"] - before["x"]) < 1
    covered = page.evaluate(
        """([x, y]) => document.elementFromPoint(x, y)?.closest('td')?.className ?? ''""",
        [after["x"] + 20, after["y"] + after["height"] / 2],
    )
    assert "jp-mlops-name-cell" in covered, "the scrolled cells pass under the name, not over it"
    shots.take(page.locator(SIDEBAR), "sidebar-table-scrolled")
    wrapper.evaluate("w => { w.scrollLeft = 0; }")
    shots.take(page.locator(SIDEBAR), "sidebar-table", publish=True)
    command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    shots.take(page.locator(SIDEBAR), "sidebar-table-dark", publish=True)
    command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")


def test_the_view_is_remembered_per_experiment(page: Any, lab: Lab) -> None:
    show_sidebar(page)
    page.select_option(".jp-mlops-experiment-select", "churn")
    expect(header(page, "tags.stage")).to_have_count(1)
    page.fill(".jp-mlops-filter-input", "params.lr >= 0.2")
    page.press(".jp-mlops-filter-input", "Enter")
    # a filter lists matching runs flat, children included
    expect(page.locator(f"{SIDEBAR} tr[data-run-id]")).to_have_count(3)
    page.select_option(".jp-mlops-experiment-select", "")
    expect(page.locator(".jp-mlops-filter-input")).to_have_value("")
    expect(header(page, "tags.stage")).to_have_count(0)

    page.select_option(".jp-mlops-experiment-select", "churn")
    expect(page.locator(".jp-mlops-filter-input")).to_have_value("params.lr >= 0.2")
    # and after a reload: JupyterLab's state database keeps it in the workspace, which the page
    # saves on the server half a second after the last change (a reload sooner loses it)
    wait_until_resolved(
        page,
        """async () => {
            const saved = await window.jupyterapp.serviceManager.workspaces.fetch('default');
            return Object.entries(saved.data).some(([key, view]) =>
                key.startsWith('jupyter-mlops:runs-view:') && key.endsWith(',"churn"]')
                && view?.filter === 'params.lr >= 0.2');
        }""",
    )
    page.reload()
    wait_restored(page)
    show_sidebar(page)
    page.select_option(".jp-mlops-experiment-select", "churn")
    expect(page.locator(".jp-mlops-filter-input")).to_have_value("params.lr >= 0.2")
    expect(header(page, "tags.stage")).to_have_count(1)
    expect(header(page, "metrics.acc")).to_have_attribute("aria-sort", "descending")
    page.fill(".jp-mlops-filter-input", "")
    page.press(".jp-mlops-filter-input", "Enter")
    expect(page.locator(f"{SIDEBAR} tr[data-run-id]")).to_have_count(3)


def test_the_table_works_from_the_keyboard(page: Any, lab: Lab) -> None:
    runs = lab.runs
    show_sidebar(page)
    page.select_option(".jp-mlops-experiment-select", "churn")
    rows = page.locator(f"{SIDEBAR} tr[data-run-id]")
    expect(rows).to_have_count(3)
    # sort headers are buttons: Enter on one sorts
    sort = header(page, "params.lr").get_by_role("button")
    sort.focus()
    page.keyboard.press("Enter")
    expect(header(page, "params.lr")).to_have_attribute("aria-sort", "ascending")

    # one tab stop for the rows; arrows move, Right expands, Space selects, Enter opens
    page.locator(f"{SIDEBAR} thead button").last.focus()
    page.keyboard.press("Tab")
    first = rows.first
    expect(first).to_be_focused()
    assert page.eval_on_selector_all(
        f"{SIDEBAR} tr[data-run-id]", "rs => rs.filter(r => r.tabIndex === 0).length"
    ) == 1
    parent = row(page, runs["parent"])
    parent.focus()
    page.keyboard.press("ArrowRight")
    expect(row(page, runs["children"][0])).to_have_attribute("data-depth", "1")
    page.keyboard.press("ArrowDown")
    child = page.locator(f"{SIDEBAR} tr[data-depth='1']").first
    expect(child).to_be_focused()
    page.keyboard.press("Space")
    expect(child).to_have_attribute("aria-selected", "true")
    expect(child.locator("input[type=checkbox]")).to_be_checked()
    page.keyboard.press("Space")
    expect(child).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowLeft")
    expect(parent).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="sweep train")).to_be_visible()
    command(page, "application:close-all")

    # delete: the dialog says how many child runs go too, and Cancel has the focus
    parent.focus()
    page.keyboard.press("Space")
    page.locator(".jp-mlops-selection-bar button", has_text="Delete").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("and its 3 child runs")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(parent).to_have_count(1)
    assert lab.api(f"runs/{runs['parent']}")["id"] == runs["parent"]


def test_a_rerun_is_named_from_what_changed(page: Any, lab: Lab, shots: Any) -> None:
    runs = lab.runs
    show_sidebar(page)
    page.evaluate(
        "([id]) => { void window.jupyterapp.commands.execute('jupyter-mlops:rerun', {id}); }",
        [runs["outside"]],
    )
    dialog = page.locator(".jp-Dialog")
    # said before anything runs, with what to do instead; no form opens
    expect(dialog).to_contain_text("copied cannot be re-run from here")
    expect(dialog).to_contain_text("outside this server's root directory")
    expect(dialog).to_contain_text(f"jupyter mlops rerun {runs['outside']}")
    expect(dialog.locator(".jp-mlops-rerun-name-input")).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    assert len(lab.api("runs?experiment=fit")["runs"]) == 4

    page.evaluate(
        "([id]) => { void window.jupyterapp.commands.execute('jupyter-mlops:rerun', {id}); }",
        [runs["fit"]],
    )
    name = dialog.locator(".jp-mlops-rerun-name-input")
    expect(name).to_have_value("train lr=0.05 alpha=0.0001")
    # inputs fit each value: numbers, a checkbox, a list of the values opt took
    expect(dialog.locator('input[data-param="lr"]')).to_have_attribute("type", "number")
    expect(dialog.locator('input[data-param="epochs"]')).to_have_attribute("step", "1")
    expect(dialog.locator('input[data-param="shuffle"]')).to_have_attribute("type", "checkbox")
    opt = dialog.locator('select[data-param="opt"]')
    expect(opt.locator("option")).to_have_text(["adam", "rmsprop", "sgd", "other value…"])

    dialog.locator('input[data-param="lr"]').fill("0.1")
    dialog.locator('input[data-param="epochs"]').fill("40")
    opt.select_option("sgd")
    expect(name).to_have_value("train lr=0.1 alpha=0.0001 epochs=40 opt=sgd")
    changed = dialog.locator('tr[data-changed="true"]')
    expect(changed).to_have_count(3)
    expect(changed.first).to_contain_text("changed, was 0.05")
    expect(dialog.locator('tr[data-changed="false"]')).to_have_count(2)  # alpha, shuffle
    shots.take(dialog, "rerun-form", publish=True)
    command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    shots.take(dialog, "rerun-form-dark", publish=True)
    command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")

    dialog.locator(".jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    toast = page.locator(".Toastify__toast", has_text="started as run")
    expect(toast).to_be_visible()
    new_id = toast.inner_text().split("started as run ")[1].split(".")[0].strip()
    rerun = lab.api(f"runs/{new_id}")
    assert rerun["name"] == "train lr=0.1 alpha=0.0001 epochs=40 opt=sgd"
    assert rerun["tags"]["rerun_of"] == runs["fit"]
    assert rerun["params"]["epochs"] == 40 and rerun["params"]["opt"] == "sgd"
    assert wait_until(lambda: lab.api(f"runs/{new_id}")["status"] != "running", timeout=120)


def test_the_rows_show_before_their_count(page: Any, lab: Lab) -> None:
    """The sidebar asks for a page without its total, then for the total alone (counting
    thousands of filtered runs takes longer than finding a page of them); the pager then says
    how many there are and pages on."""
    store = open_store(str(lab.root / ".mlops"))
    for i in range(55):
        run_id = new_run_id()
        store.create_run(run_id, name=f"page run {i}", experiment="pages", params={"i": i})
        store.end_run(run_id)
    forget_stores()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/mlops/api/runs?" in request.url else None)
    show_sidebar(page)
    expect(page.locator(".jp-mlops-experiment-select option[value='pages']")).to_have_count(1)
    page.select_option(".jp-mlops-experiment-select", "pages")
    info = page.locator(f"{SIDEBAR} .jp-mlops-page-info")
    expect(info).to_have_text("1–50 of 55")
    expect(page.locator(f"{SIDEBAR} tr[data-run-id]")).to_have_count(50)
    assert any("count=0" in url and "experiment=pages" in url for url in asked), asked
    assert any("count=only" in url and "experiment=pages" in url for url in asked), asked
    page.get_by_label("Next page").click()
    expect(info).to_have_text("51–55 of 55")
    expect(page.locator(f"{SIDEBAR} tr[data-run-id]")).to_have_count(5)
