"""Debian's Chromium driven by Playwright (Python), and screenshots of what it showed.

Each test module starts one JupyterLab and one Chromium of its own (module-scoped
fixtures: the module's ``lab``, and ``page``, one page of it, unless the module needs another). Without Chromium or Playwright the tests are skipped, saying
what to install.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Lab, browser_missing, open_lab_page

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Playwright's sync API runs an event loop in this thread
    while it is open, so it is closed before other folders' async tests run."""
    problem = browser_missing()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    """One JupyterLab page for a module's tests, of the ``lab`` fixture the module defines."""
    page = open_lab_page(browser, lab)
    yield page
    page.context.close()


class Screenshots:
    """Screenshots under the test's tmp dir; with ``JUPYTER_MLOPS_SCREENSHOTS=1`` the
    published ones are also written to ``docs/images/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.publish = os.environ.get("JUPYTER_MLOPS_SCREENSHOTS") == "1"

    def take(self, target: Any, name: str, *, publish: bool = False) -> Path:
        path = self.folder / f"{name}.png"
        target.screenshot(path=str(path))
        if publish and self.publish:
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMAGES / path.name)
        return path


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Screenshots:
    return Screenshots(tmp_path_factory.mktemp("screenshots"))
