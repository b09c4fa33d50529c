"""The sidebar's looks and states in a real JupyterLab in Chromium: readable in the light
and the dark theme (every text/background pair measured), live updates of running runs,
loading and error states, links between runs, and tabs that come back after a reload.
One JupyterLab and one page serve the whole module; the tests run in file order."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import forget_stores, open_store
from jupyter_mlops.store.entities import ExecutedCell
from tests.browser.test_sidebar import (
    KERNEL_IDLE,
    SIDEBAR,
    command,
    expect,
    populate,
    row,
    select,
)
from tests.browser.test_sidebar import (
    reset as reset_sidebar,
)
from tests.support.browser import Lab, serving, wait_restored, wait_until_resolved, write_notebook
from tests.support.contrast import MINIMUM, text_pairs, unreadable

pytestmark = pytest.mark.slow

LONG_CELL = "\n".join(f"step_{i} = {i}" for i in range(9))
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
LIVE_STEPS = 30
LIVE_CELL = (
    "%%track --name live\n"
    "import time\n"
    "import jupyter_mlops as mlops\n"
    "lr = 0.3\n"
    f"for step in range({LIVE_STEPS}):\n"
    "    mlops.log_metric('loss', 1.0 / (step + 1), step=step)\n"
    "    time.sleep(0.4)"
)
# A training script: one run, a loss every 0.2 s until told to stop (at most a minute).
STREAMING_LOGGER = """
import pathlib, sys, time
import jupyter_mlops as mlops
stop = pathlib.Path(sys.argv[2])
with mlops.start_run(name="streaming", store=sys.argv[1]) as run:
    print(run.id, flush=True)
    step = 0
    while not stop.exists() and step < 300:
        mlops.log_metric("loss", 1.0 / (step + 1), step=step)
        step += 1
        time.sleep(0.2)
print(step, flush=True)
"""
STREAM_WAIT_MS = 10_000
# The vertices of the longest loss line drawn in a run's detail (one per step).
DRAWN_STEPS = """(id) => Math.max(0, ...[...document.querySelectorAll(
    `.jp-mlops-detail-body[data-run-id="${id}"] .jp-mlops-metric[data-metric="loss"] svg .mark-line path`
)].map(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1))"""
STREAMED = f"([id, before]) => ({DRAWN_STEPS})(id) > before"
# When each run's row first showed in the sidebar, and with which status (ms since epoch).
WATCH_ROWS = """(sidebar) => {
    window.__mlopsSeen = {};
    const note = () => {
        for (const row of document.querySelectorAll(sidebar + ' tr[data-run-id]')) {
            const id = row.dataset.runId;
            if (!(id in window.__mlopsSeen)) {
                window.__mlopsSeen[id] = { at: Date.now(), status: row.dataset.status };
            }
        }
    };
    note();
    new MutationObserver(note).observe(document.querySelector(sidebar), {
        subtree: true, childList: true, attributes: true });
}"""


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    runs = populate(root)
    write_notebook(root / "live.ipynb", "%load_ext jupyter_mlops", LIVE_CELL)
    store = open_store(str(root / ".mlops"))
    store.set_execution_record(
        runs["wider"],
        [ExecutedCell(0, 1, "h9", LONG_CELL, out_of_order=False, stale=False)],
    )
    store.update_run(runs["wider"], tags={"rerun_of": runs["baseline"], "mlops.snapshot": "kept"})
    forget_stores()
    with serving(root, tmp_path_factory.mktemp("lab-home"), runs) as lab:
        yield lab


def reset(page: Any) -> None:
    """As the sidebar tests' reset, dropping what a kernel's start wrote into open notebooks
    (kernelspec metadata), which would otherwise stop closing them with a dialog."""
    page.evaluate(
        """() => { for (const w of window.jupyterapp.shell.widgets('main')) {
            if (w.context) { w.context.model.dirty = false; } } }"""
    )
    reset_sidebar(page)


def painted(page: Any, selector: str) -> str:
    """The background an element is painted with (its own, or its first painted ancestor's)."""
    return str(
        page.eval_on_selector(
            selector,
            """e => { for (; e; e = e.parentElement) {
                const c = getComputedStyle(e).backgroundColor;
                if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { return c; } }
                return ''; }""",
        )
    )


def use_theme(page: Any, theme: str) -> None:
    command(page, "apputils:change-theme", {"theme": THEMES[theme]})
    light = "true" if theme == "light" else "false"
    page.wait_for_selector(f'body[data-jp-theme-light="{light}"]', state="attached")


def assert_readable(page: Any, where: str, *roots: str) -> int:
    pairs = text_pairs(page, *roots)
    assert pairs, f"no text measured in {where}"
    bad = unreadable(pairs)
    assert not bad, f"text below {MINIMUM}:1 contrast in {where}: " + "; ".join(
        f"{p['element']} {p['text']!r} {p['color']} on {p['background']}: {p['ratio']}"
        for p in bad[:12]
    )
    return len(pairs)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_is_readable_in_both_themes(page: Any, lab: Lab, shots: Any, theme: str) -> None:
    use_theme(page, theme)
    reset(page)
    baseline = lab.runs["baseline"]
    select(page, baseline, lab.runs["wider"])
    expect(row(page, baseline)).to_have_class(re.compile("jp-mlops-selected"))
    command(page, "jupyter-mlops:open-run", {"id": baseline, "path": ""})
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{baseline}"]')
    expect(
        detail.locator('.jp-mlops-metric[data-metric="loss"] svg .mark-line path')
    ).to_have_count(1)
    expect(detail.locator(".jp-mlops-badge-warn").first).to_be_visible()
    page.mouse.move(0, 0)  # no hovered row
    # the selection shows: selected rows are painted apart from the others
    assert painted(page, f'{SIDEBAR} tr[data-run-id="{baseline}"] td') != painted(
        page, f'{SIDEBAR} tr[data-run-id="{lab.runs["sgd"]}"] td'
    )
    measured = assert_readable(
        page, f"the sidebar and a run's detail ({theme})", SIDEBAR, ".jp-mlops-detail-body"
    )
    # the measure itself sees unreadable text: the theme's pale shade under the theme's text
    page.add_style_tag(
        content=".jp-mlops-run-row.jp-mlops-selected { background: var(--jp-brand-color3); }"
    )
    pale = unreadable(text_pairs(page, f'{SIDEBAR} tr[data-run-id="{baseline}"]'))
    assert (theme == "dark") == bool(pale), pale
    page.evaluate("() => document.head.lastElementChild.remove()")
    shots.take(page, f"run-detail-{theme}", publish=True)
    shots.take(page.locator(SIDEBAR), f"sidebar-{theme}", publish=True)

    page.locator(".jp-mlops-compare-button").click()
    view = page.locator(".jp-mlops-compare-body:visible")
    expect(view.locator("tr.jp-mlops-differs").first).to_be_visible()
    expect(view.locator(".jp-mlops-chart svg .mark-line path")).to_have_count(2)
    differs = ".jp-mlops-compare-body .jp-mlops-params-diff"
    assert painted(page, f'{differs} tr[data-key="lr"] td') != painted(
        page, f'{differs} tr[data-key="opt"] td'
    )
    measured += assert_readable(page, f"compare ({theme})", ".jp-mlops-compare-body")
    shots.take(page, f"compare-{theme}", publish=True)

    command(page, "docmanager:open", {"path": "broken/notes.ipynb"})
    problem = page.locator(f"{SIDEBAR} .jp-mlops-problem")
    expect(problem).to_be_visible()
    text = problem.inner_text()
    assert "sqlalchemy" not in text.lower() and "[SQL:" not in text and "Traceback" not in text
    measured += assert_readable(page, f"the broken-store panel ({theme})", SIDEBAR)
    shots.take(page.locator(SIDEBAR), f"broken-store-{theme}", publish=True)
    command(page, "docmanager:open", {"path": "train.ipynb"})
    expect(problem).to_have_count(0)
    assert measured > 50
    use_theme(page, "light")


def brightness(css: str) -> float:
    """0 (black) .. 1 (white) of an ``rgb()``/``rgba()`` colour."""
    red, green, blue = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return (red + green + blue) / 765


AXIS_LABEL_FILL = """(selector) => {
    const label = document.querySelector(selector + ' svg .role-axis-label text');
    return label ? getComputedStyle(label).fill : null;
}"""


def test_the_chart_text_follows_the_theme(page: Any, lab: Lab) -> None:
    reset(page)
    baseline = lab.runs["baseline"]
    command(page, "jupyter-mlops:open-run", {"id": baseline, "path": ""})
    chart = f'.jp-mlops-detail-body[data-run-id="{baseline}"] .jp-mlops-metric[data-metric="loss"]'
    expect(page.locator(f"{chart} svg .role-axis-label text").first).to_be_visible()
    light = page.evaluate(AXIS_LABEL_FILL, chart)
    use_theme(page, "dark")
    page.wait_for_function(
        f"([selector, before]) => {{ const fill = ({AXIS_LABEL_FILL})(selector); "
        "return fill !== null && fill !== before; }",
        arg=[chart, light],
    )
    dark = page.evaluate(AXIS_LABEL_FILL, chart)
    # dark text on the light theme, light text on the dark one
    assert brightness(light) < 0.3 < 0.7 < brightness(dark), (light, dark)
    use_theme(page, "light")


def test_a_running_cell_shows_up_without_a_click_keeping_what_the_user_did(
    page: Any, lab: Lab
) -> None:
    reset(page)
    baseline = lab.runs["baseline"]
    select(page, baseline)
    wrapper = f"{SIDEBAR} .jp-mlops-table-wrapper"
    page.eval_on_selector(wrapper, "e => { e.scrollLeft = 40; }")
    scrolled = page.eval_on_selector(wrapper, "e => e.scrollLeft")
    assert scrolled > 0  # the table is wider than the sidebar
    page.evaluate(WATCH_ROWS, SIDEBAR)
    before = {run["id"] for run in lab.api("runs?limit=1000")["runs"]}

    command(page, "docmanager:open", {"path": "live.ipynb"})
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    command(page, "notebook:run-all-cells")
    running = page.locator(f'{SIDEBAR} tr[data-run-id][data-status="running"]')
    expect(running).to_have_count(1, timeout=60_000)  # no click on refresh
    live = running.get_attribute("data-run-id")
    assert live not in before
    command(page, "jupyter-mlops:open-run", {"id": live, "path": ""})
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{live}"]')
    note = detail.locator('textarea[aria-label="Note"]')
    note.fill("half-written thought")
    lines = detail.locator('.jp-mlops-metric[data-metric="loss"] svg .mark-line path')
    expect(lines.first).to_be_visible()

    def drawn_points() -> int:  # the vertices of the longest line drawn (one per step)
        return max(lines.evaluate_all("ps => ps.map(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1)"))

    first = drawn_points()
    print(f"live run: the detail first drew {first} of {LIVE_STEPS} points")
    seen = page.evaluate("(id) => window.__mlopsSeen[id]", live)
    assert seen["status"] == "running"
    started = lab.api(f"runs/{live}")["started_at"]
    print(f"live run {live}: row shown {seen['at'] / 1000 - float(started):.2f} s after it started")
    # what the user was doing is untouched by the refreshes
    expect(row(page, baseline).locator("input[type=checkbox]")).to_be_checked()
    assert page.eval_on_selector(wrapper, "e => e.scrollLeft") == scrolled

    expect(detail.locator(".jp-mlops-status")).to_contain_text("finished", timeout=60_000)
    page.wait_for_function(
        """([id, steps]) => [...document.querySelectorAll(
            `.jp-mlops-detail-body[data-run-id="${id}"] .jp-mlops-metric[data-metric="loss"] svg .mark-line path`
        )].some(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1 === steps)""",
        arg=[live, LIVE_STEPS],
    )
    expect(row(page, live)).to_have_attribute("data-status", "finished")
    expect(note).to_have_value("half-written thought")  # the refreshes kept the draft

    # closing the tab with an unsaved note asks first
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Run: live")
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Discard the unsaved note?")
    dialog.get_by_role("button", name="Keep editing").click()
    expect(note).to_have_value("half-written thought")
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Discard").click()
    expect(detail).to_have_count(0)

    # the run id in the cell's summary opens the run
    link = page.locator(f'.jp-NotebookPanel:visible [data-mlops-open-run="{live}"]')
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(f'.jp-mlops-detail-body[data-run-id="{live}"]')).to_be_visible()


def test_a_running_runs_detail_streams_its_metrics(
    page: Any, lab: Lab, tmp_path: Path
) -> None:
    """A run logging from another process (the Python API, as a training script does): its
    open detail tab draws each new batch of steps and the latest value, with no click."""
    reset(page)
    stop = tmp_path / "stop"
    logger = subprocess.Popen(
        [sys.executable, "-c", STREAMING_LOGGER, str(lab.root / ".mlops"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert logger.stdout is not None
        run_id = logger.stdout.readline().strip()
        assert run_id, "the logging process started no run"
        command(page, "jupyter-mlops:open-run", {"id": run_id, "path": ""})
        detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{run_id}"]')
        metric = detail.locator('.jp-mlops-metric[data-metric="loss"]')
        expect(metric.locator("svg .mark-line path")).to_have_count(1)
        expect(detail.locator(".jp-mlops-status")).to_contain_text("running")
        drawn = [page.evaluate(DRAWN_STEPS, run_id)]
        for _ in range(3):  # three later drawings, each with more steps than the one before
            page.wait_for_function(STREAMED, arg=[run_id, drawn[-1]], timeout=STREAM_WAIT_MS)
            drawn.append(page.evaluate(DRAWN_STEPS, run_id))
        last = metric.locator(".jp-mlops-metric-last")
        shown = [last.inner_text()]
        for _ in range(2):  # and the latest value shown moves on with them
            expect(last).not_to_have_text(shown[-1], timeout=STREAM_WAIT_MS)
            shown.append(last.inner_text())
        print(f"streamed run {run_id}: drawn steps {drawn}, shown {shown}")
        assert drawn == sorted(set(drawn)), drawn
        # loss is 1 / (step + 1), logged in order: each value shown is lower than the last
        values = [float(text.removeprefix("last ")) for text in shown]
        assert values == sorted(set(values), reverse=True), shown
        expect(detail.locator(".jp-mlops-status")).to_contain_text("running")
    finally:
        stop.touch()
        out, _ = logger.communicate(timeout=60)
    steps = int(out.split()[-1])
    expect(detail.locator(".jp-mlops-status")).to_contain_text("finished")
    # the last poll, after the run ended, draws every step it logged
    page.wait_for_function(
        f"([id, steps]) => ({DRAWN_STEPS})(id) === steps", arg=[run_id, steps]
    )
    expect(metric.locator(".jp-mlops-metric-last")).to_have_text(f"last {1 / steps:.6g}")


def test_states_links_and_dialogs(page: Any, lab: Lab) -> None:
    reset(page)
    baseline, wider = lab.runs["baseline"], lab.runs["wider"]
    # placeholders: what the page showed while things loaded
    page.evaluate(
        """() => { window.__mlopsShown = new Set();
        new MutationObserver(() => {
            for (const s of ['.jp-mlops-loading-bar', '.jp-mlops-chart-placeholder']) {
                if (document.querySelector(s)) { window.__mlopsShown.add(s); }
            }
        }).observe(document.body, { subtree: true, childList: true }); }"""
    )
    page.select_option(".jp-mlops-experiment-select", "other")
    expect(row(page, baseline)).to_have_count(0)
    page.select_option(".jp-mlops-experiment-select", "")
    command(page, "jupyter-mlops:open-run", {"id": wider, "path": ""})
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{wider}"]')
    expect(
        detail.locator('.jp-mlops-metric[data-metric="loss"] svg .mark-line path')
    ).to_have_count(1)
    shown = page.evaluate("() => [...window.__mlopsShown]")
    assert set(shown) == {".jp-mlops-loading-bar", ".jp-mlops-chart-placeholder"}, shown
    expect(detail.locator(".jp-mlops-chart-placeholder")).to_have_count(0)

    # internal tags are hidden and survive an edit; rerun_of opens the run it re-runs
    tags = detail.locator(".jp-mlops-tag-list")
    expect(tags).to_contain_text("rerun_of")
    expect(tags).not_to_contain_text("mlops.snapshot")
    detail.locator('input[aria-label="Tag name"]').fill("mlops.mine")
    detail.get_by_role("button", name="Add tag").click()
    expect(detail.locator(".jp-mlops-tags [role=alert]")).to_contain_text("kept by jupyter-mlops")
    detail.locator('input[aria-label="Tag name"]').fill("team")
    detail.locator('input[aria-label="Tag value"]').fill("a")
    detail.get_by_role("button", name="Add tag").click()
    expect(tags).to_contain_text("team")
    assert lab.api(f"runs/{wider}")["tags"]["mlops.snapshot"] == "kept"

    # a long executed cell expands
    source = detail.locator(".jp-mlops-execution-record .jp-mlops-source")
    folded = source.evaluate("e => e.clientHeight")
    detail.get_by_role("button", name="Show all 9 lines").click()
    expect(source).to_contain_text("step_8 = 8")
    assert source.evaluate("e => e.clientHeight") > folded

    detail.locator(f'.jp-mlops-facts .jp-mlops-run-link[data-run-id="{baseline}"]').click()
    expect(page.locator(f'.jp-mlops-detail-body[data-run-id="{baseline}"]')).to_be_visible()

    # a bad tag keeps asking, saying why, with what was typed
    select(page, lab.runs["sgd"])
    page.locator(".jp-mlops-selection-bar button", has_text="Tag").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill("nonsense")
    dialog.locator(".jp-mod-accept").click()
    expect(dialog).to_contain_text('"nonsense" is not a tag')
    expect(dialog.locator("input")).to_have_value("nonsense")
    dialog.locator("input").fill("stage=dev")
    dialog.locator(".jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    expect(row(page, lab.runs["sgd"])).to_have_count(1)
    wait_until_resolved(
        page,
        "async (id) => { const r = await fetch(`${window.jupyterapp.serviceManager.serverSettings.baseUrl}"
        "mlops/api/runs/${id}`, { headers: { Authorization: `token ${window.jupyterapp"
        ".serviceManager.serverSettings.token}` } }); return (await r.json()).tags.stage === 'dev'; }",
        lab.runs["sgd"],
    )


def test_compare_and_detail_tabs_come_back_after_a_reload(page: Any, lab: Lab) -> None:
    reset(page)
    baseline, wider = lab.runs["baseline"], lab.runs["wider"]
    command(page, "jupyter-mlops:open-run", {"id": baseline, "path": ""})
    command(page, "jupyter-mlops:open-run", {"id": wider, "path": ""})
    select(page, baseline)
    select(page, wider)
    page.locator(".jp-mlops-compare-button").click()
    expect(page.locator(".jp-mlops-compare-body:visible")).to_be_visible()
    # the layout restorer keeps open tabs in the workspace: reload once its saved layout of
    # the main area holds all three (a tab's own restore key alone brings nothing back)
    wait_until_resolved(
        page,
        """async () => {
            const saved = await window.jupyterapp.serviceManager.workspaces.fetch('default');
            const main = JSON.stringify(saved.data['layout-restorer:data']?.main ?? null);
            return main.includes('jupyter-mlops-compare:')
                && (main.match(/jupyter-mlops-run:/g) || []).length === 2;
        }""",
    )
    page.reload()
    wait_restored(page)
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab")
    expect(tabs.filter(has_text="Compare 2 runs")).to_have_count(1)
    expect(tabs.filter(has_text="Run: baseline")).to_have_count(1)
    expect(tabs.filter(has_text="Run: wider")).to_have_count(1)
    expect(page.locator(".jp-mlops-compare-body:visible")).to_contain_text("Comparing 2 runs")


def test_a_store_picked_by_hand_stays_until_the_notebook_is_followed_again(
    page: Any, lab: Lab
) -> None:
    reset(page)
    command(page, "docmanager:open", {"path": "broken/notes.ipynb"})
    problem = page.locator(f"{SIDEBAR} .jp-mlops-problem")
    expect(problem).to_be_visible()
    picker = page.locator(f"{SIDEBAR} .jp-mlops-store-picker")
    picker.select_option(label="Server root: /")
    expect(problem).to_have_count(0)
    expect(row(page, lab.runs["baseline"])).to_have_count(1)
    command(page, "docmanager:open", {"path": "live.ipynb"})
    command(page, "docmanager:open", {"path": "broken/notes.ipynb"})
    expect(page.locator(f"{SIDEBAR} .jp-mlops-store")).to_have_text("/")
    expect(row(page, lab.runs["baseline"])).to_have_count(1)
    picker.select_option(label="Active notebook’s: /broken")
    expect(problem).to_be_visible()
    picker.select_option(label="Server root: /")
    expect(problem).to_have_count(0)
