"""The runs sidebar in Jupyter Notebook 7, driven in Chromium: found from the View menu,
and its run, compare and snapshot views opened in the panel below the notebook (Notebook
keeps its main area for the page's one document)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import open_store
from tests.support.browser import SIDEBAR, Lab, serving, track_run, write_notebook

pytestmark = pytest.mark.slow

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def notebook_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    pytest.importorskip("notebook", reason="Jupyter Notebook 7 is not installed: pip install -e '.[test]'")
    root = tmp_path_factory.mktemp("nb7-root")
    store_dir = root / ".mlops"
    store_dir.mkdir()
    runs = {
        name: track_run(store_dir, name, experiment="churn", params={"lr": lr},
                        metrics={"loss": [1.0 / (step + 1) + lr for step in range(20)]})
        for name, lr in (("baseline", 0.1), ("wider", 0.05))
    }
    open_store(str(store_dir)).set_snapshot(runs["baseline"], write_notebook(root / "snap.ipynb", "lr = 0.1"))
    write_notebook(root / "train.ipynb", "lr = 0.1")
    with serving(root, tmp_path_factory.mktemp("nb7-home"), runs, notebook=True) as server:
        yield server


@pytest.fixture
def page(browser: Any, notebook_server: Lab) -> Iterator[Any]:
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{notebook_server.url}notebooks/train.ipynb?token={notebook_server.token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('jupyter-mlops:open')"
    )
    yield page
    page.context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def test_the_sidebar_and_its_views_work_in_notebook_7(page: Any, notebook_server: Lab, shots: Any) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="View").click()
    page.locator(".lm-Menu-itemLabel", has_text="Left Sidebar").hover()
    page.locator(".lm-Menu-itemLabel", has_text="Show MLOps runs").click()
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.locator("tr[data-run-id]")).to_have_count(2)
    expect(page.locator(".jp-mlops-track-cell-button")).to_be_visible()  # the notebook toolbar's Track

    baseline = notebook_server.runs["baseline"]
    sidebar.locator(f'tr[data-run-id="{baseline}"] td', has_text="baseline").click()
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{baseline}"]')
    expect(detail).to_be_visible()
    expect(detail.locator('.jp-mlops-metric[data-metric="loss"] svg .mark-line path')).to_have_count(1)
    below = page.locator("#jp-down-stack")
    assert below.bounding_box()["height"] > 300, "the panel below the notebook stayed too small to read"
    page.locator(".jp-Notebook").first.wait_for()  # the notebook is still there, above
    shots.take(page, "notebook7", publish=True)

    detail.get_by_role("button", name="Open snapshot").click()
    expect(page.locator(".jp-mlops-snapshot:visible .jp-Cell")).to_contain_text(["lr = 0.1"])
    sidebar.locator(f'tr[data-run-id="{baseline}"] td', has_text="baseline").click()
    expect(detail).to_be_visible()  # an open view comes back to the front

    for run_id in notebook_server.runs.values():
        sidebar.locator(f'tr[data-run-id="{run_id}"] input[type="checkbox"]').check()
    sidebar.locator(".jp-mlops-compare-button").click()
    compare = page.locator(".jp-mlops-compare-body:visible")
    expect(compare.locator('.jp-mlops-params-diff tr[data-key="lr"]')).to_contain_text("0.05")
    expect(compare.locator(".jp-mlops-chart svg .mark-line path")).to_have_count(2)
    assert Path(shots.take(page, "notebook7-compare")).exists()
