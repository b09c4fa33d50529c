"""The run detail's Data section, the lineage graph and the sidebar's Models section in a
real JupyterLab, driven in Chromium, on files logged by real runs and a model registered
through the API. One JupyterLab and one page serve the whole module; the tests run in file
order (the alias moves of one are seen by the next)."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.capture import files as capture
from jupyter_mlops.store import forget_stores
from tests.support.browser import SIDEBAR, SIDEBAR_TAB, Lab, open_lab_page, run_command, serving

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
DETAIL = ".jp-mlops-detail:visible"
LINEAGE = ".jp-mlops-lineage:visible"
MODELS = f"{SIDEBAR} .jp-mlops-models"


def populate(root: Path) -> dict[str, str]:
    """prepare reads data/raw.csv and writes data/clean.csv; two trainings read it and write
    models registered as digits v1 and v2, a third writes v3; production moved v1 -> v2 by
    ana, staging on v1. notes.txt was never read by a run."""
    store = root / ".mlops"
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("x,y\n1,2\n3,4\n")
    (root / "notes.txt").write_text("not data\n")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("JUPYTERHUB_USER", "ana")
            with mlops.start_run("prepare", store=store) as prepare, mlops.capture_files():
                Path("data/clean.csv").write_text(Path("data/raw.csv").read_text().upper())
            trained = {}
            for name, weights in (("train", b"w1"), ("train-wide", b"w2"), ("train-big", b"w3" * 3000)):
                with mlops.start_run(name, store=store) as run, mlops.capture_files():
                    Path("data/clean.csv").read_text()
                    Path(f"{name}.pkl").write_bytes(weights)
                trained[name] = run.id
            capture.flush()
            for name in trained:
                mlops.register_model("digits", f"{name}.pkl", run=trained[name], store=store,
                                     alias="production" if name == "train" else None)
            mlops.set_model_alias("digits", "production", 2, store=store)
            mlops.set_model_alias("digits", "staging", 1, store=store)
    finally:
        os.chdir(cwd)
        forget_stores()
    return {"prepare": prepare.id, **trained}


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    with serving(root, tmp_path_factory.mktemp("lab-home"), populate(root)) as lab:
        yield lab


@pytest.fixture(scope="module")
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    page = open_lab_page(browser, lab, "jupyter-mlops:show-lineage", WAIT_MS)
    yield page
    page.context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


command = run_command


def theme(page: Any, name: str) -> None:
    command(page, "apputils:change-theme", {"theme": name})
    dark = name == "JupyterLab Dark"
    page.wait_for_function(
        "(dark) => document.body.dataset.jpThemeLight === String(!dark)", arg=dark
    )


def in_both_themes(page: Any, shots: Any, target: Any, name: str) -> None:
    """Screenshots of ``target`` in the light theme (the one published as ``name``.png), then the
    dark one (back to light after)."""
    shots.take(target, name, publish=True)
    theme(page, "JupyterLab Dark")
    try:
        shots.take(target, f"{name}-dark")
    finally:
        theme(page, "JupyterLab Light")


def data_section(page: Any) -> Any:
    return page.locator(f"{DETAIL} .jp-mlops-section").filter(has=page.locator("h3", has_text="Data"))


def test_the_data_section_lists_files_with_digests_sizes_and_who_wrote_each_input(
        page: Any, lab: Lab, shots: Any) -> None:
    command(page, "application:close-all")
    command(page, "jupyter-mlops:open-run", {"id": lab.runs["train"], "path": ""})
    data = data_section(page)
    inputs = data.locator('tbody[data-role="input"] tr[data-path="data/clean.csv"]')
    expect(inputs).to_have_count(1)
    served = lab.api(f"runs/{lab.runs['train']}/files")["files"]
    clean = next(f for f in served if f["path"] == "data/clean.csv")
    digest = inputs.locator(".jp-mlops-data-digest")
    expect(digest).to_have_text("sha256:" + clean["digest"].removeprefix("sha256:")[:12])
    assert digest.get_attribute("title") == clean["digest"]
    expect(inputs.locator(".jp-mlops-data-size")).to_have_text("12 B")
    outputs = data.locator('tbody[data-role="output"] tr[data-path]')
    expect(outputs).to_have_count(1)
    expect(outputs.first).to_have_attribute("data-path", "train.pkl")
    producer = inputs.locator(".jp-mlops-data-producer")
    expect(producer).to_have_text("prepare")
    data.scroll_into_view_if_needed()
    in_both_themes(page, shots, data, "run-data")

    producer.click()  # the link opens the run that wrote the input
    expect(page.locator(f'{DETAIL}[data-run-id="{lab.runs["prepare"]}"], '
                        f'{DETAIL} [data-run-id="{lab.runs["prepare"]}"]').first).to_be_visible()
    prepare = data_section(page)
    expect(prepare.locator('tbody[data-role="input"] tr[data-path="data/raw.csv"] td').last).to_have_text(
        "not tracked")  # nothing tracked wrote the raw data


def node(page: Any, node_id_start: str) -> Any:
    return page.locator(f'{LINEAGE} .jp-mlops-lineage-node[data-node-id^="{node_id_start}"]')


def boxes(page: Any) -> dict[str, dict[str, float]]:
    return page.eval_on_selector_all(
        f"{LINEAGE} .jp-mlops-lineage-node",
        """nodes => Object.fromEntries(nodes.map(n => {
            const b = n.getBBox(); const m = n.transform.baseVal.consolidate().matrix;
            return [n.dataset.nodeId, {x: m.e, y: m.f, w: b.width, h: b.height}];
        }))""",
    )


def test_show_lineage_from_a_run_draws_the_graph_and_a_file_recentres_it(page: Any, lab: Lab, shots: Any) -> None:
    command(page, "application:close-all")
    command(page, "jupyter-mlops:open-run", {"id": lab.runs["train"], "path": ""})
    data_section(page).locator(".jp-mlops-show-lineage").click()
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-origin")).to_have_text(f"run {lab.runs['train']}")
    train = node(page, f"run:{lab.runs['train']}")
    expect(train).to_have_attribute("data-start", "true")
    for start in (f"run:{lab.runs['prepare']}", "file:data/raw.csv@", "file:data/clean.csv@", "file:train.pkl@",
                  "model:digits/1"):
        expect(node(page, start)).to_have_count(1)
    # the other trainings read the same clean data: downstream of prepare, not of train
    expect(node(page, f"run:{lab.runs['train-wide']}")).to_have_count(0)
    edges = page.eval_on_selector_all(f"{LINEAGE} .jp-mlops-lineage-edge", "es => es.map(e => e.dataset.kind)")
    assert sorted(edges) == ["read", "read", "registered", "wrote", "wrote"]
    placed = boxes(page)
    by_start = {start: next(v for k, v in placed.items() if k.startswith(start)) for start in (
        "file:data/raw.csv@", f"run:{lab.runs['prepare']}", "file:data/clean.csv@", f"run:{lab.runs['train']}",
        "model:digits/1")}
    xs = [b["x"] for b in by_start.values()]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # laid out left to right, data to model
    rects = list(placed.values())
    for i, a in enumerate(rects):  # no two nodes overlap
        for b in rects[i + 1:]:
            assert (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                    or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]), (a, b)
    in_both_themes(page, shots, page.locator(LINEAGE), "lineage")

    node(page, "file:data/clean.csv@").click()  # a file re-centres the graph on it
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-origin")).to_have_text("data/clean.csv")
    expect(node(page, "file:data/clean.csv@")).to_have_attribute("data-start", "true")
    for name in ("train", "train-wide", "train-big", "prepare"):  # every reader and the writer
        expect(node(page, f"run:{lab.runs[name]}")).to_have_count(1)
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-bound")).to_have_count(0)  # small: all drawn
    page.locator(f"{LINEAGE} .jp-mlops-lineage-back").click()
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-origin")).to_have_text(f"run {lab.runs['train']}")

    node(page, f"run:{lab.runs['prepare']}").click()  # a run opens its detail
    expect(page.locator(f'{DETAIL} [data-run-id="{lab.runs["prepare"]}"], '
                        f'{DETAIL}[data-run-id="{lab.runs["prepare"]}"]').first).to_be_visible()


def show_lineage_from_the_file_browser(page: Any, folder: str, name: str) -> None:
    command(page, "filebrowser:activate")
    command(page, "filebrowser:go-to-path", {"path": folder})
    item = page.locator(".jp-DirListing-item", has=page.locator(".jp-DirListing-itemText", has_text=re.compile(
        f"^{re.escape(name)}$")))
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Show Lineage").click()


def test_show_lineage_from_the_file_browser_and_for_a_file_no_run_touched(page: Any, lab: Lab) -> None:
    command(page, "application:close-all")
    show_lineage_from_the_file_browser(page, "/data", "raw.csv")
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-origin")).to_have_text("data/raw.csv")
    expect(node(page, "file:data/raw.csv@")).to_have_attribute("data-start", "true")
    for name in ("prepare", "train", "train-wide", "train-big"):
        expect(node(page, f"run:{lab.runs[name]}")).to_have_count(1)
    expect(node(page, "model:digits/")).to_have_count(3)

    show_lineage_from_the_file_browser(page, "/", "notes.txt")
    problem = page.locator(f"{LINEAGE} .jp-mlops-lineage-problem")
    expect(problem).to_contain_text("No lineage for notes.txt.")
    expect(problem).to_contain_text("no run in")
    expect(problem).to_contain_text("read or wrote 'notes.txt'")
    assert "Traceback" not in problem.inner_text()
    expect(page.locator(f"{LINEAGE} .jp-mlops-lineage-graph")).to_have_count(0)


def models_section(page: Any) -> Any:
    tab = page.locator(SIDEBAR_TAB)
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    section = page.locator(MODELS)
    if section.get_attribute("data-expanded") != "true":
        section.locator(".jp-mlops-models-toggle").click()
    return section


def digits(page: Any) -> Any:
    model = models_section(page).locator('.jp-mlops-model[data-model="digits"]')
    toggle = model.locator(".jp-mlops-model-name")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(model.locator(".jp-mlops-model-version")).to_have_count(3)
    return model


def history(model: Any) -> list[str]:
    return model.locator(".jp-mlops-alias-history li").all_inner_texts()


def test_the_models_section_shows_versions_aliases_and_promotion_history(page: Any, lab: Lab, shots: Any) -> None:
    command(page, "application:close-all")
    model = digits(page)
    expect(model.locator('.jp-mlops-model-aliases tr[data-alias="production"] td').first).to_have_text("v2")
    expect(model.locator('.jp-mlops-model-aliases tr[data-alias="staging"] td').first).to_have_text("v1")
    versions = model.locator(".jp-mlops-model-version")
    assert versions.evaluate_all("vs => vs.map(v => v.dataset.version)") == ["3", "2", "1"]
    expect(versions.nth(1).locator(".jp-mlops-version-run")).to_have_text("train-wide")
    lines = history(model)
    assert re.fullmatch(r"production: v1 → v2, by ana, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[1]), lines
    assert lines[2].startswith("production: set to v1, by ana, ") and lines[0].startswith("staging: set to v1")
    in_both_themes(page, shots, page.locator(SIDEBAR), "models")

    versions.nth(2).locator(".jp-mlops-version-run").click()  # a version's run opens
    expect(page.locator(f'{DETAIL} [data-run-id="{lab.runs["train"]}"], '
                        f'{DETAIL}[data-run-id="{lab.runs["train"]}"]').first).to_be_visible()
    versions.nth(2).locator(".jp-mlops-version-lineage").click()  # ...and its lineage, the version marked
    expect(page.locator(f'{LINEAGE} .jp-mlops-lineage-node[data-node-id="model:digits/1"]')).to_have_attribute(
        "data-focus", "true")


def test_moving_and_removing_an_alias_asks_first_and_is_recorded(page: Any, lab: Lab) -> None:
    model = digits(page)
    staging = model.locator('.jp-mlops-model-aliases tr[data-alias="staging"]')
    staging.locator(".jp-mlops-move-alias").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("staging points at v1 now")
    dialog.locator("select").select_option("3")
    dialog.locator(".jp-Dialog-button", has_text="Cancel").click()  # cancelled: nothing moves
    assert lab.api("models/digits")["aliases"]["staging"] == 1

    staging.locator(".jp-mlops-move-alias").click()
    dialog.locator("select").select_option("3")
    dialog.locator(".jp-Dialog-button", has_text="Move").click()
    expect(staging.locator("td").first).to_have_text("v3")
    assert lab.api("models/digits")["aliases"]["staging"] == 3
    assert history(model)[0].startswith("staging: v1 → v3, by ")

    staging.locator(".jp-mlops-remove-alias").click()
    expect(dialog).to_contain_text("Its history is kept.")
    dialog.locator(".jp-Dialog-button", has_text="Remove").click()
    expect(staging).to_have_count(0)
    assert "staging" not in lab.api("models/digits")["aliases"]
    assert history(model)[0].startswith("staging: removed (was v3), by ")


def test_moving_an_alias_to_a_version_gone_since_says_so_in_plain_words(page: Any, lab: Lab) -> None:
    model = digits(page)
    production = model.locator('.jp-mlops-model-aliases tr[data-alias="production"]')
    production.locator(".jp-mlops-move-alias").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("select").select_option("3")
    # meanwhile version 3 went away (a store restored from an older copy)
    with sqlite3.connect(lab.root / ".mlops" / "mlops.db") as db:
        db.execute("DELETE FROM model_versions WHERE model = 'digits' AND version = 3")
    dialog.locator(".jp-Dialog-button", has_text="Move").click()
    problem = model.locator(".jp-mlops-model-problem")
    expect(problem).to_have_text(
        "Could not move production to v3: model 'digits' has no version 3; its versions are 1 to 2 "
        "(see `jupyter mlops models show digits`)")
    expect(production.locator("td").first).to_have_text("v2")  # unchanged, and shown as stored
    expect(model.locator(".jp-mlops-model-version")).to_have_count(2)
    assert lab.api("models/digits")["aliases"]["production"] == 2
