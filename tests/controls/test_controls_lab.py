"""``%%track --controls`` in a real JupyterLab, in Chromium: move a slider, press Run twice with
different values, see two rows and a two-point chart under the controls, and find both runs
in the JupyterLab sidebar.

The JupyterLab and Chromium helpers are the project's browser-test support (tests.support.browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SIDEBAR,
    SIDEBAR_TAB,
    Lab,
    browser_missing,
    start_lab,
    write_notebook,
)

pytestmark = pytest.mark.slow

WAIT_MS = 90_000
LABEXTENSION = (
    Path(__file__).resolve().parents[2] / "jupyter_mlops" / "labextension" / "static" / "style.js"
)
CELL = (
    "%%track --controls --metric acc\n"
    "epochs = 3\n"
    "lr = 0.1\n"
    "acc = 1 - 1 / (epochs + 1)\n"
    "print('trained for', epochs, 'epochs')"
)
KERNEL_IDLE = """() => {
    const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
    return kernel?.status === 'idle';
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    problem = browser_missing()
    if problem:
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("controls-lab-root")
    (root / ".mlops").mkdir()  # the project's store, found by the kernel and by the sidebar
    write_notebook(
        root / "explore.ipynb", "import jupyter_mlops as mlops\n%load_ext jupyter_mlops", CELL
    )
    server = start_lab(root, tmp_path_factory.mktemp("controls-lab-home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1100})
        page.set_default_timeout(WAIT_MS)
        yield page
        chromium.close()


def move_slider(panel: Any, name: str, steps: int) -> None:
    """Move a control's slider by ``steps`` with the keyboard, as a user can."""
    handle = panel.locator(f".mlops-control-{name} .noUi-handle")
    handle.focus()
    for _ in range(steps):
        handle.press("ArrowRight")


def test_slider_run_twice_two_rows_two_points_and_the_sidebar(page: Any, lab: Lab) -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}lab/tree/explore.ipynb?token={lab.token}")
    page.wait_for_selector("#jp-main-dock-panel")
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    expect(cells).to_have_count(2)
    page.wait_for_function(KERNEL_IDLE)
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )

    panel = cells.nth(1).locator(".jp-OutputArea .mlops-controls")
    expect(panel.locator(".mlops-control-epochs .noUi-handle")).to_be_visible()
    expect(panel.locator(".mlops-controls-restore")).to_have_count(0)  # nothing runs before Run
    epochs_box = panel.locator(".mlops-control-epochs .mlops-control-text input")
    expect(epochs_box).to_have_value("3")

    move_slider(panel, "epochs", 2)
    expect(epochs_box).to_have_value("5")  # the kernel heard the slider and updated its text box
    panel.locator(".mlops-controls-run").click()
    rows = panel.locator(".mlops-controls-runs .mlops-controls-restore")
    expect(rows).to_have_count(1)
    expect(panel.locator(".mlops-controls-output")).to_contain_text("trained for 5 epochs")

    move_slider(panel, "epochs", 4)
    expect(epochs_box).to_have_value("9")
    panel.locator(".mlops-controls-run").click()
    expect(rows).to_have_count(2)
    expect(panel.locator(".mlops-controls-output")).to_contain_text("trained for 9 epochs")
    newest, oldest = rows.nth(0).inner_text().strip(), rows.nth(1).inner_text().strip()
    assert lab.api(f"runs/{oldest}")["params"]["epochs"] == 5
    assert lab.api(f"runs/{newest}")["params"]["epochs"] == 9
    assert lab.api(f"runs/{newest}")["metrics"]["acc"] == pytest.approx(0.9)
    grid = panel.locator(".mlops-controls-runs")
    expect(grid.locator(".mlops-best")).to_have_text("0.9")  # the best acc is highlighted

    chart = panel.locator(".mlops-controls-chart")
    expect(chart.locator(".scatterlayer .trace .point")).to_have_count(2)
    expect(chart.locator(".gtitle")).to_have_text("acc against epochs")

    if not LABEXTENSION.exists():
        pytest.skip(
            f"the JupyterLab extension is not built ({LABEXTENSION} is missing): pip install -e ."
        )
    tab = page.locator(SIDEBAR_TAB)
    expect(tab).to_be_visible()
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    for run_id in (oldest, newest):
        expect(sidebar.locator(f'tr[data-run-id="{run_id}"]')).to_have_count(1)


CHART_COLOURS = """(chart) => {
    const paper = chart.querySelector('.main-svg');
    const title = chart.querySelector('.gtitle');
    return paper && title
        ? [getComputedStyle(paper).backgroundColor, getComputedStyle(title).fill]
        : null;
}"""


def brightness(css: str) -> float:
    """0 (black) .. 1 (white) of an ``rgb()``/``rgba()`` colour."""
    red, green, blue = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return (red + green + blue) / 765


def test_the_chart_follows_the_notebook_theme(page: Any) -> None:
    from playwright.sync_api import expect

    chart = page.locator(".jp-OutputArea .mlops-controls .mlops-controls-chart")
    expect(chart.locator(".gtitle")).to_have_text("acc against epochs")
    paper, title = chart.evaluate(CHART_COLOURS)
    assert brightness(paper) > 0.9 and brightness(title) < 0.4, (paper, title)

    for theme, dark in (("JupyterLab Dark", True), ("JupyterLab Light", False)):
        page.evaluate(
            "async (theme) => { await window.jupyterapp.commands.execute("
            "'apputils:change-theme', { theme }); }",
            theme,
        )
        page.wait_for_function(
            "([chart, dark]) => { const paper = chart.querySelector('.main-svg');"
            " const rgb = paper && getComputedStyle(paper).backgroundColor.match(/[\\d.]+/g);"
            " return rgb && (Number(rgb[0]) < 60) === dark; }",
            arg=[chart.element_handle(), dark],
        )
        paper, title = chart.evaluate(CHART_COLOURS)
        if dark:  # the page's dark background and light text, not plotly's white
            assert brightness(paper) < 0.2 and brightness(title) > 0.7, (paper, title)
        else:
            assert brightness(paper) > 0.9 and brightness(title) < 0.4, (paper, title)
