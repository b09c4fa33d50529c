"""Charts and compare tables of the sidebar's views in a real JupyterLab, in Chromium, light and
dark: one colour per run from the table to every chart, integer steps, the x axis / log-y /
smoothing options, several panels, single values as dots, a crosshair tooltip of every run,
legends past 7 runs, units of system metrics, parallel coordinates with log axes and brushing,
compare tables that mark the best value and show differences from the first run, each table
row's colour chip the colour of the run's lines, charts that follow their panel's width, and
the store picker readable at the sidebar's default width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import forget_stores
from tests.browser.test_sidebar import command, expect, row, show_sidebar
from tests.support.browser import SIDEBAR, SIDEBAR_TAB, Lab, serving, track_run, write_notebook

pytestmark = pytest.mark.slow

THEMES = ("JupyterLab Light", "JupyterLab Dark")
DEEP_FOLDER = "projects/churn-prediction/experiments/2026-q4"
#: WCAG contrast of a cell's text on what is painted behind it (the lead of every colour pair).
CONTRAST = """el => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => {
        v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    let back = el;
    while (back && (rgb(getComputedStyle(back).backgroundColor)[3] === 0
                    || getComputedStyle(back).backgroundColor === 'transparent')) {
        back = back.parentElement;
    }
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(rgb(back ? getComputedStyle(back).backgroundColor : 'rgb(255,255,255)'));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def populate(root: Path) -> list[str]:
    """Nine runs of one experiment: lr over three decades, a loss history, an accuracy logged
    once, and a system metric with a unit."""
    store = root / ".mlops"
    store.mkdir()
    ids = []
    for i in range(9):
        lr = 10 ** (-4 + i * 3 / 8)
        ids.append(track_run(store, f"trial {i}", experiment="sweep",
                             params={"lr": lr, "epochs": 10 + i},
                             metrics={"loss": [1.0 / (s + 1) + i * 0.05 for s in range(12)],
                                      "acc": [0.70 + i * 0.01234567],
                                      "system/process_rss_mb": [100.0 + i, 120.0 + i]}))
    forget_stores()
    # a notebook deep in the project: the sidebar follows its folder (whose store is the one above)
    write_notebook(root / DEEP_FOLDER / "train.ipynb", "1 + 1")
    return ids


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    ids = {str(i): run_id for i, run_id in enumerate(populate(root))}
    with serving(root, tmp_path_factory.mktemp("lab-home"), ids) as lab:
        yield lab


def theme(page: Any, name: str, *, close_all: bool = False) -> None:
    """The theme ``name`` in use (and, with ``close_all``, nothing open in the main area)."""
    if close_all:
        command(page, "application:close-all")
    command(page, "apputils:change-theme", {"theme": name})
    page.wait_for_function(
        "dark => document.body.dataset.jpThemeLight === String(!dark)", arg=name.endswith("Dark")
    )


def compare(page: Any, ids: list[str]) -> Any:
    command(page, "application:close-all")
    command(page, "jupyter-mlops:compare", {"ids": ids, "path": ""})
    view = page.locator(".jp-mlops-compare-body:visible")
    expect(view).to_contain_text(f"Comparing {len(ids)} runs")
    return view


def panel(view: Any, metric: str) -> Any:
    return view.locator(f'.jp-mlops-metric-panel[data-metric="{metric}"]')


def strokes(chart: Any) -> list[str]:
    return chart.locator(".mark-line path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('stroke'))"
    )


def x_ticks(chart: Any) -> list[str]:
    """The labels of the chart's first (x) axis."""
    axis = chart.locator('g[aria-roledescription="axis"][aria-label^="X-axis"]')
    return axis.locator("g.role-axis-label text").all_text_contents()


@pytest.mark.parametrize("theme_name", THEMES)
def test_each_run_keeps_its_colour_and_the_charts_tell_the_truth(
    page: Any, lab: Lab, shots: Any, theme_name: str
) -> None:
    theme(page, theme_name)
    ids = [lab.runs[str(i)] for i in range(9)]
    colours = lab.api(f"compare?ids={','.join(ids)}")["colours"]
    view = compare(page, ids)
    chips = view.locator(".jp-mlops-metrics-diff thead .jp-mlops-colour-chip")
    chip_colours = chips.evaluate_all("cs => cs.map(c => getComputedStyle(c).backgroundColor)")
    as_rgb = [page.evaluate("c => { const d = document.createElement('div'); d.style.color = c;"
                            " document.body.append(d); const v = getComputedStyle(d).color;"
                            " d.remove(); return v; }", colours[i]) for i in ids]
    assert chip_colours == as_rgb  # the table's chips are the runs' colours
    add = view.get_by_label("Add a panel")
    add.select_option("loss")  # a second panel beside the first metric's (acc)
    loss = panel(view, "loss")
    expect(loss.locator(".mark-line path")).to_have_count(9)
    assert sorted(strokes(loss)) == sorted(colours[i] for i in ids)  # ... and the lines'
    assert x_ticks(loss) and all(re.fullmatch(r"\d+", t) for t in x_ticks(loss))  # whole steps
    legend = loss.locator("g.role-legend-label text")
    expect(legend).to_have_count(9)  # past 7 runs every run is in the legend, none cut off
    box = loss.locator("svg").bounding_box()
    last = legend.last.bounding_box()
    assert last["y"] + last["height"] <= box["y"] + box["height"] + 1

    # the crosshair: every run's value at the step under the pointer, rounded
    plot = loss.locator("svg").bounding_box()
    page.mouse.move(plot["x"] + plot["width"] * 0.5, plot["y"] + 60)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    text = tooltip.inner_text()
    assert all(f"trial {i}" in text for i in range(9)), text
    assert not re.search(r"\d\.\d{5,}", text), text  # rounded, not 0.583333333
    page.mouse.move(0, 0)

    # the options: x axis, log y, smoothing, for every panel at once
    view.get_by_label("x axis").select_option("relative")
    expect(loss.locator("g.role-axis-title text").first).to_have_text("time since start (s)")
    view.get_by_label("x axis").select_option("step")
    view.get_by_label("log y").check()
    expect(loss.locator("g.role-axis-title text").nth(1)).to_have_text("loss")
    view.get_by_label("log y").uncheck()
    view.get_by_label("smoothing").select_option("5")
    expect(loss.locator(".mark-line path")).to_have_count(18)  # smoothed lines over faint raw ones
    view.get_by_label("smoothing").select_option("0")

    # several panels: a single value per run is a dot per run; a system metric names its unit
    add.select_option("system/process_rss_mb")
    acc = panel(view, "acc")
    expect(acc.locator(".mark-symbol path")).to_have_count(9)
    expect(acc.locator(".mark-line path")).to_have_count(0)
    assert "0.000000" not in acc.inner_text()
    expect(panel(view, "system/process_rss_mb").locator(".jp-mlops-metric-title")).to_contain_text(
        "system/process_rss_mb (MB)"
    )
    expect(panel(view, "loss")).to_be_visible()
    suffix = "dark" if theme_name.endswith("Dark") else "light"
    shots.take(page, f"compare-charts-{suffix}", publish=True)
    show_sidebar(page)  # the runs sidebar at its default width beside the compare tab
    shots.take(page, f"compare-sidebar-{suffix}", publish=True)
    page.locator(SIDEBAR_TAB).click()

    # parallel coordinates: lr spans three decades, so its axis is logarithmic; brushing keeps
    # the runs through the box and fades the others
    parallel = view.locator(".jp-mlops-parallel")
    parallel.scroll_into_view_if_needed()
    expect(parallel.locator(".mark-line path")).to_have_count(9)
    expect(parallel.locator(".mark-text text", has_text="lr (log)")).to_have_count(1)
    points = parallel.locator(".mark-symbol.role-mark path").evaluate_all(
        "ps => ps.map(p => { const b = p.getBoundingClientRect();"
        " return [b.x + b.width / 2, b.y + b.height / 2]; })"
    )
    left = min(x for x, _ in points)  # the first axis, lr: a box around its top point
    top = min(y for x, y in points if abs(x - left) < 3)
    page.mouse.move(left - 5, top - 5)  # inside the plot: a press outside it is no brush
    page.mouse.down()
    page.mouse.move(left + 15, top + 15, steps=5)
    page.mouse.up()
    opacities = parallel.locator(".mark-line path").evaluate_all(
        "ps => ps.map(p => Number(p.getAttribute('stroke-opacity') ?? p.getAttribute('opacity') ?? 1))"
    )
    assert sum(o > 0.5 for o in opacities) == 1 and sum(o < 0.5 for o in opacities) == 8, opacities
    page.mouse.dblclick(left + 40, top + 40)  # a double click clears the brush
    expect(parallel.locator('.mark-line path[stroke-opacity="0.12"]')).to_have_count(0)
    shots.take(parallel, f"compare-parallel-{suffix}", publish=True)


@pytest.mark.parametrize("theme_name", THEMES)
def test_compare_tables_mark_the_best_value_and_differences_from_the_first_run(
    page: Any, lab: Lab, shots: Any, theme_name: str
) -> None:
    theme(page, theme_name)
    ids = [lab.runs[str(i)] for i in (3, 0, 8, 5)]
    view = compare(page, ids)
    table = view.locator(".jp-mlops-metrics-diff")
    acc = table.locator('tr[data-key="acc"]')
    loss = table.locator('tr[data-key="loss"]')
    expect(acc.locator("td.jp-mlops-best")).to_have_attribute("data-run", ids[2])  # highest
    expect(loss.locator("td.jp-mlops-best")).to_have_attribute("data-run", ids[1])  # lowest
    expect(acc.locator(f'td[data-run="{ids[1]}"] .jp-mlops-delta')).to_have_text(" −0.037037")
    expect(acc.locator(f'td[data-run="{ids[0]}"] .jp-mlops-delta')).to_have_count(0)
    best = loss.locator("td.jp-mlops-best")
    expect(best.locator(".jp-mlops-delta")).to_have_text(" −0.15")
    for mark in (best, best.locator(".jp-mlops-delta"), acc.locator("button.jp-mlops-direction")):
        assert mark.evaluate(CONTRAST) >= 4.5, theme_name
    # four runs: every header shows its whole name
    headers = table.locator("thead th[data-run]")
    expect(headers).to_have_count(4)
    assert headers.evaluate_all("hs => hs.every(h => h.scrollWidth <= h.clientWidth + 1)")
    suffix = "dark" if theme_name.endswith("Dark") else "light"
    shots.take(view.locator(".jp-mlops-section").nth(1), f"compare-best-{suffix}", publish=True)

    # the user says acc is better lower: the server's rule moves the mark; a second click undoes it
    acc.locator("button.jp-mlops-direction").click()
    expect(acc.locator("td.jp-mlops-best")).to_have_attribute("data-run", ids[1])
    expect(acc.locator("button.jp-mlops-direction")).to_have_attribute("data-direction", "min")
    acc.locator("button.jp-mlops-direction").click()
    expect(acc.locator("td.jp-mlops-best")).to_have_attribute("data-run", ids[2])


def rgb(hex_colour: str) -> str:
    """``#4c78a8`` as the browser computes it: ``rgb(76, 120, 168)``."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("theme_name", THEMES)
def test_a_runs_chip_in_the_table_is_the_colour_of_its_lines(
    page: Any, lab: Lab, shots: Any, theme_name: str
) -> None:
    theme(page, theme_name, close_all=True)
    show_sidebar(page)
    listed = {run["id"]: run for run in lab.api("runs?limit=20")["runs"]}
    # nine runs made one after another in one experiment: nine colours of their own, which
    # the table's chips show and a comparison of all nine keeps
    chosen = [lab.runs[str(i)] for i in range(9)]
    chips = {}
    for run_id in chosen:
        chip = row(page, run_id).locator(".jp-mlops-run-chip")
        expect(chip).to_be_visible()
        expect(chip).to_have_attribute("role", "img")
        expect(chip).to_have_attribute("aria-label", re.compile(r"^chart colour #[0-9a-f]{6}$"))
        expect(chip).to_have_attribute("title", re.compile("lines in charts"))
        chips[run_id] = chip.evaluate("c => getComputedStyle(c).backgroundColor")
    assert len(set(chips.values())) == len(chosen), chips
    suffix = "dark" if theme_name.endswith("Dark") else "light"
    shots.take(page.locator(SIDEBAR), f"sidebar-chips-{suffix}", publish=True)

    view = compare(page, chosen)
    view.get_by_label("Add a panel").select_option("loss")
    loss = panel(view, "loss")
    expect(loss.locator(".mark-line path")).to_have_count(len(chosen))
    # each run's line: the legend says which colour is whose, the lines are drawn in those colours
    entries = loss.locator("g.role-legend-entry g.role-legend-symbol path, "
                           "g.role-legend-entry g.role-legend-label text")
    expect(entries).to_have_count(2 * len(chosen))
    legend = loss.locator("g.role-legend-entry").evaluate_all(
        """gs => gs.flatMap(g => {
            const symbols = [...g.querySelectorAll('.role-legend-symbol path')];
            const labels = [...g.querySelectorAll('.role-legend-label text')];
            return labels.map((label, i) => [label.textContent,
                symbols[i].getAttribute('stroke') || symbols[i].getAttribute('fill')]);
        })"""
    )
    lines = {rgb(stroke) for stroke in strokes(loss)}
    names = {listed[run_id]["name"]: run_id for run_id in chosen}  # "trial 3": unique here
    by_run = {names[label.split(" (")[0]]: rgb(colour) for label, colour in legend}
    assert set(by_run) == set(chosen), legend
    for run_id in chosen:
        assert by_run[run_id] == chips[run_id], (run_id, legend, chips)
        assert chips[run_id] in lines
    command(page, "application:close-all")


def chart_fits(chart: Any) -> Any:
    """The chart's drawn width and its container's."""
    return chart.evaluate(
        "c => [c.querySelector('svg').getBoundingClientRect().width,"
        " c.querySelector('.jp-mlops-chart-canvas').clientWidth]"
    )


def test_a_chart_follows_its_panel_when_the_sidebar_is_dragged_wider(page: Any, lab: Lab) -> None:
    theme(page, "JupyterLab Light")
    ids = [lab.runs[str(i)] for i in range(3)]
    view = compare(page, ids)
    view.get_by_label("Add a panel").select_option("loss")
    loss = panel(view, "loss")
    expect(loss.locator(".mark-line path")).to_have_count(3)
    show_sidebar(page)
    chart = loss.locator(".jp-mlops-chart")
    drawn, room = chart_fits(chart)
    assert abs(drawn - room) <= 2, (drawn, room)

    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle:visible").first
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx in (300, -300):  # the sidebar 300 px wider, then back: the chart follows both ways
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y, steps=4)
        page.mouse.up()
        x += dx
        page.wait_for_function(
            """([c, before]) => {
                const room = c.querySelector('.jp-mlops-chart-canvas').clientWidth;
                const drawn = c.querySelector('svg').getBoundingClientRect().width;
                return Math.abs(room - before) > 50 && Math.abs(drawn - room) <= 2;
            }""",
            arg=[chart.element_handle(), room],
        )
        drawn, room = chart_fits(chart)
    page.locator(SIDEBAR_TAB).click()
    command(page, "application:close-all")


#: How far the picker's chosen label overflows the room it has (<= 0: it is shown whole).
LABEL_OVERFLOW = """s => {
    const style = getComputedStyle(s);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = ctx.measureText(s.options[s.selectedIndex].text).width;
    const arrow = 18;  // the drop-down arrow Chromium draws at the right
    const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrow;
    return text - room;
}"""


@pytest.mark.parametrize("theme_name", THEMES)
def test_the_store_picker_is_readable_at_the_sidebars_default_width(
    page: Any, lab: Lab, shots: Any, theme_name: str
) -> None:
    theme(page, theme_name, close_all=True)
    command(page, "docmanager:open", {"path": f"{DEEP_FOLDER}/train.ipynb"})
    expect(page.locator(".jp-NotebookPanel:visible")).to_have_count(1)
    show_sidebar(page)
    sidebar = page.locator(SIDEBAR)
    assert 340 <= sidebar.bounding_box()["width"] <= 380  # the default width
    picker = sidebar.locator(".jp-mlops-store-picker")
    expect(picker).to_have_attribute("title", re.compile(re.escape(f"/{DEEP_FOLDER})")))
    expect(picker.locator("option:checked")).to_have_text(re.compile(r"^Active notebook’s: …/"))
    assert picker.evaluate(LABEL_OVERFLOW) <= 0, picker.locator("option:checked").inner_text()
    header = sidebar.locator(".jp-mlops-panel-header")
    head, pick = header.bounding_box(), picker.bounding_box()
    assert pick["x"] >= head["x"] - 1 and pick["x"] + pick["width"] <= head["x"] + head["width"] + 1
    expect(sidebar.locator("tr[data-run-id]")).to_have_count(9)  # the store above the folder
    expect(sidebar.locator(".jp-mlops-panel")).to_have_attribute("aria-busy", "false")
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, dialogs.all_inner_texts()
    folder = sidebar.locator(".jp-mlops-store")
    expect(folder).to_have_attribute("title", re.compile(r"\.mlops$"))
    suffix = "dark" if theme_name.endswith("Dark") else "light"
    shots.take(sidebar, f"store-picker-{suffix}", publish=True)
    command(page, "docmanager:save")  # its kernel filled in its metadata: closing would ask
    command(page, "application:close-all")
