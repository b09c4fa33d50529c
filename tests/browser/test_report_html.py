"""The HTML report in Chromium: its charts load, hostile run text runs no script, the cell diff
opens, and a screenshot of it (``docs/images/report.png`` with JUPYTER_MLOPS_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_mlops.cli import main
from tests.support.reports import report_store


def test_html_report_in_chromium(browser: Any, shots: Any, tmp_path: Path) -> None:
    store, base, candidate = report_store(tmp_path)
    output = tmp_path / "report.html"
    assert main(["report", candidate, "--baseline", "model:digits@production", "--max-regression",
                 "val_acc=0.01", "--require", "metrics.val_loss < 0.05", "--format", "html",
                 "--output", str(output), "--store", store]) == 1
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    try:
        page.goto(output.as_uri())
        page.wait_for_function("[...document.images].every(i => i.complete)")
        sizes = page.evaluate("[...document.images].map(i => [i.naturalWidth, i.naturalHeight])")
        assert len(sizes) == 2 and all(w > 100 and h > 100 for w, h in sizes)
        assert page.evaluate("window.hacked") is None
        assert page.locator("h1").inner_text().endswith("1 gate(s) fail")
        assert page.locator("td .fail").count() == 1 and page.locator("td .pass").count() >= 3
        assert "<img src=x" in page.locator("table").first.inner_text()  # shown as text
        diff = page.locator("details pre")
        assert not diff.is_visible()
        page.locator("details summary").click()
        assert diff.is_visible() and "+lr = 0.2" in diff.inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        shots.take(page, "report", publish=True)
    finally:
        page.close()
