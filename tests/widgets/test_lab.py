"""The run browser in a real JupyterLab, in Chromium: ``%runs`` in a notebook shows the runs
of the project's store, and clicking a column header sorts them through the kernel.

The JupyterLab and Chromium helpers are the project's browser-test support (tests.support.browser)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Lab,
    browser_missing,
    start_lab,
    track_run,
    write_notebook,
)

pytestmark = pytest.mark.slow

NAMES = ["bravo", "charlie", "alpha", "<u>echo</u>"]  # tracked in this order
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    problem = browser_missing()
    if problem:
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("widgets-lab-root")
    store = root / ".mlops"
    runs = {
        name: track_run(
            store,
            name,
            experiment="demo",
            params={"lr": 0.1 * (i + 1)},
            metrics={"loss": [1.0, 0.5 / (i + 1)]},
        )
        for i, name in enumerate(NAMES)
    }
    from jupyter_mlops.store import forget_stores

    forget_stores()
    write_notebook(
        root / "runs.ipynb",
        "%load_ext jupyter_mlops\n%runs",
        "from jupyter_mlops.widgets import RunBrowser\nRunBrowser()",
    )
    server = start_lab(root, tmp_path_factory.mktemp("widgets-lab-home"))
    server.runs = runs
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        yield page
        chromium.close()


def grid_rows(grid: Any) -> list[list[str]]:
    """The grid's cells as rows of texts, the header row first (the box column dropped)."""
    columns = grid.locator(":scope > .mlops-sort-header").count() + 1
    texts = [text.strip() for text in grid.locator(":scope > *").all_inner_texts()]
    return [row[1:] for row in (texts[i : i + columns] for i in range(0, len(texts), columns))]


def test_runs_magic_shows_the_runs_and_header_clicks_sort_them(page: Any, lab: Lab) -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}lab/tree/runs.ipynb?token={lab.token}")
    page.wait_for_selector("#jp-main-dock-panel")
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    expect(cells).to_have_count(2, timeout=WAIT_MS)  # a loaded machine opens it slowly
    page.wait_for_function("""() => {
        const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
        return kernel?.status === 'idle';
    }""")
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )

    browser_grid = cells.nth(1).locator(".jp-OutputArea .mlops-runs-grid")
    expect(browser_grid.locator(".mlops-open-run")).to_have_count(4)
    newest_first = [lab.runs[name] for name in reversed(NAMES)]
    rows = grid_rows(browser_grid)
    assert rows[0][:4] == ["id", "name", "experiment", "status"] and rows[0][4] == "started ▼"
    assert "params.lr" in rows[0] and "metrics.loss" in rows[0]
    assert [row[0] for row in rows[1:]] == newest_first
    assert [row[1] for row in rows[1:]] == list(reversed(NAMES)), "names are shown as text"
    assert all(row[2:4] == ["demo", "finished"] for row in rows[1:])
    assert rows[1][rows[0].index("metrics.loss")] == "0.125"
    assert cells.nth(1).locator(".jp-OutputArea u").count() == 0, "no user markup is rendered"

    browser_grid.locator(".mlops-sort-header", has_text=re.compile(r"^name$")).click()
    expect(browser_grid.locator(".mlops-sort-header", has_text="name ▲")).to_have_count(1)
    deadline = time.monotonic() + WAIT_MS / 1000
    while [row[1] for row in grid_rows(browser_grid)[1:]] != sorted(NAMES) and time.monotonic() < deadline:
        page.wait_for_timeout(100)  # the rows follow the header a moment later
    assert [row[1] for row in grid_rows(browser_grid)[1:]] == sorted(NAMES)

    runs_output = cells.nth(0).locator(".jp-OutputArea")
    expect(runs_output.locator(".mlops-runs-grid .mlops-open-run")).to_have_count(4)
    magic_rows = grid_rows(runs_output.locator(".mlops-runs-grid"))
    assert [row[0] for row in magic_rows[1:]] == newest_first


def test_runs_fits_a_700px_notebook_and_follows_the_theme(page: Any, lab: Lab, tmp_path: Any) -> None:
    """Nothing of the browser (table, opened run) makes the page scroll sideways, and its status
    dots take the theme's colours as the sidebar does; screenshots in the light and dark theme."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 700, "height": 900})
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    browser = cells.nth(1).locator(".jp-OutputArea .mlops-run-browser")
    expect(browser).to_be_visible()
    browser.locator(".mlops-open-run").first.click()
    expect(browser.locator(".mlops-run-name")).to_have_count(1)
    overflow = """el => {
        const panel = el.closest('.jp-NotebookPanel');
        const scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel;
        return [scroller.scrollWidth - scroller.clientWidth, el.scrollWidth - el.clientWidth,
                document.documentElement.scrollWidth - document.documentElement.clientWidth,
                panel.getBoundingClientRect().width];
    }"""
    page_overflow, browser_overflow, document_overflow, width = browser.evaluate(overflow)
    assert width <= 700
    assert (page_overflow, browser_overflow, document_overflow) == (0, 0, 0)
    dot = browser.locator(".mlops-status > span").first
    colours = {}
    for theme, light in (("JupyterLab Light", "true"), ("JupyterLab Dark", "false")):
        page.evaluate(f"async () => {{ await window.jupyterapp.commands.execute("
                      f"'apputils:change-theme', {{theme: '{theme}'}}); }}")
        page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
        colours[theme] = dot.evaluate("el => getComputedStyle(el).backgroundColor")
        browser.screenshot(path=str(tmp_path / f"runs-{'light' if light == 'true' else 'dark'}.png"))
        text = browser.locator(".mlops-run-name").evaluate("el => getComputedStyle(el).color")
        background = page.locator(".jp-NotebookPanel:visible .jp-Notebook").evaluate(
            "el => getComputedStyle(el).backgroundColor")
        assert text != background
    assert colours["JupyterLab Light"] != colours["JupyterLab Dark"]  # the theme's own green
