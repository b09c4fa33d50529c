"""The run detail's "Check reproducibility" button and the verdict badges, in a real JupyterLab
driven in Chromium: the button reproduces in the background, shows progress, then the verdict
naming the metric that differs; the badge appears in the detail's header and the runs table,
readable in the light and the dark theme."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_sidebar import (
    RUN_WAIT_MS,
    command,
    expect,
    reset,
    row,
)
from tests.support.browser import SIDEBAR, Lab, serving
from tests.support.runner import write_notebook

pytestmark = pytest.mark.slow

UNSEEDED = (
    "import random\nimport jupyter_mlops as mlops\n"
    "for step in range(5):\n    mlops.log_metric('loss', random.random(), step=step)\n"
    "mlops.log_metric('acc', 0.5)"
)


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    from jupyter_mlops.runner import run_notebook
    from jupyter_mlops.store import forget_stores

    root = tmp_path_factory.mktemp("lab-root")
    (root / ".mlops").mkdir()
    path = write_notebook(root / "unseeded.ipynb", "epochs = 5", UNSEEDED)
    run = run_notebook(path, store=os.fspath(root / ".mlops"))
    assert run.status == "finished", run.error
    forget_stores()
    with serving(root, tmp_path_factory.mktemp("lab-home"), {"unseeded": run.id}) as lab:
        yield lab


def set_theme(page: Any, theme: str, light: bool) -> None:
    command(page, "apputils:change-theme", {"theme": theme})
    page.wait_for_function(
        f"() => document.body.dataset.jpThemeLight === '{str(light).lower()}'"
    )


def test_check_reproducibility_shows_progress_then_the_verdict_and_badges(
    page: Any, lab: Lab, shots: Any, tmp_path: Path
) -> None:
    run_id = lab.runs["unseeded"]
    reset(page)
    expect(row(page, run_id)).to_be_visible()
    expect(row(page, run_id).locator(".jp-mlops-reproduced")).to_have_count(0)
    command(page, "jupyter-mlops:open-run", {"id": run_id, "path": ""})
    detail = page.locator(f'.jp-mlops-detail-body[data-run-id="{run_id}"]')
    button = detail.locator(".jp-mlops-reproduce-button")
    expect(button).to_be_enabled()
    expect(detail.locator(".jp-mlops-detail-header .jp-mlops-reproduced")).to_have_count(0)

    button.click()
    expect(detail.locator(".jp-mlops-reproduce-progress")).to_contain_text("Reproducing")
    expect(button).to_be_disabled()  # one reproduction at a time
    verdict = detail.locator(".jp-mlops-reproduce-verdict")
    expect(verdict).to_contain_text("Differs: 1 of 2 metrics", timeout=RUN_WAIT_MS)
    expect(verdict.locator(".jp-mlops-reproduce-differences li")).to_have_count(1)
    expect(verdict.locator(".jp-mlops-reproduce-differences li")).to_contain_text("loss")
    badge = detail.locator(".jp-mlops-detail-header .jp-mlops-reproduced")
    expect(badge).to_have_text("differs")  # the run was loaded again with its new tag
    expect(button).to_be_enabled()
    assert lab.api(f"runs/{run_id}")["tags"]["mlops.reproduced"] == "no"

    reset(page)  # the table loads again
    command(page, "jupyter-mlops:open-run", {"id": run_id, "path": ""})
    expect(row(page, run_id).locator(".jp-mlops-reproduced-no")).to_have_count(1)
    expect(verdict).to_contain_text("Differs")  # a detail opened later shows the last verdict
    shots.take(page, "reproduce-light")
    colours = []
    for theme, light in (("JupyterLab Dark", False), ("JupyterLab Light", True)):
        set_theme(page, theme, light)
        if not light:
            shots.take(page, "reproduce-dark")
        colours.append(badge.evaluate("el => getComputedStyle(el).color"))
    assert colours[0] != colours[1]  # the badge follows the theme's own colours


def test_the_panel_stays_inside_a_narrow_sidebar_width(page: Any, lab: Lab) -> None:
    run_id = lab.runs["unseeded"]
    page.set_viewport_size({"width": 700, "height": 800})
    command(page, "jupyter-mlops:open-run", {"id": run_id, "path": ""})
    part = page.locator(f'.jp-mlops-detail-body[data-run-id="{run_id}"] .jp-mlops-reproduce')
    expect(part).to_be_visible()
    overflow = part.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0
    assert page.locator(SIDEBAR).count() == 1
