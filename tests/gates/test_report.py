"""``jupyter mlops report``: Markdown that GitHub's and GitLab's CommonMark + GFM tables render
as meant (checked with a CommonMark parser), charts from the sidebar's Vega-Lite template as SVG
files, the cell diff in ``<details>``, the marker line, and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from jupyter_mlops.cli import main
from jupyter_mlops.gates.report import MARKER
from tests.support.reports import HOSTILE, report_store

GATES = ["--baseline", "model:digits@production", "--max-regression", "val_acc=0.01"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    return report_store(tmp_path_factory.mktemp("report"))


def _render(markdown: str) -> str:
    """As GitHub and GitLab do: CommonMark with GFM tables and strike-through, raw HTML kept."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_markdown_report_renders_tables_details_and_charts(project: tuple[str, str, str], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    store, base, candidate = project
    output, assets = tmp_path / "out" / "report.md", tmp_path / "out" / "assets"
    output.parent.mkdir()
    assert main(["report", candidate, *GATES, "--format", "markdown", "--output", str(output),
                 "--assets", str(assets), "--store", store]) == 0
    text = output.read_text()
    assert text.splitlines()[0] == MARKER
    page = _render(text)

    # every table row has as many cells as its header: user text with | did not split a cell
    for table in re.findall(r"<table>.*?</table>", page, re.S):
        counts = {len(re.findall(r"<t[hd]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert len(counts) == 1, table
    assert "<h3>Metrics</h3>" in page and "<h3>Gates</h3>" in page and "<h3>Changed params</h3>" in page
    # only the changed param, with the hostile text shown as text (no tag, no mention, no emphasis)
    params = page.split("<h3>Changed params</h3>")[1].split("</table>")[0]
    assert ">lr<" in params and ">epochs<" not in params and ">note<" not in params
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    assert "<strong>bold</strong>" not in page and "<code>tick</code>" not in page
    assert "+0.02 ✅" in page

    charts = sorted(path.name for path in assets.iterdir())
    assert charts == ["metric-history-01-val_acc.svg", "metric-history-02-val_loss.svg"]
    assert '<img src="assets/metric-history-01-val_acc.svg" alt="val_acc"' in page
    svg = (assets / charts[0]).read_text()
    assert svg.startswith("<svg") and "candidate" in svg and "<img" not in svg  # the legend's text is escaped

    details = re.search(r"<details>\n<summary>(.*?)</summary>(.*?)</details>", page, re.S)
    assert details is not None and "2 differ, 2 the same" in details.group(1)
    code = details.group(2)
    assert '<pre><code class="language-diff">' in code and "-lr = 0.1\n+lr = 0.2" in code
    assert "print(&#x27;```&#x27;" in code or "print('```'" in code  # the fence outlasted the backticks


def test_markdown_without_assets_says_how_to_get_the_charts_and_a_failing_gate_exits_1(
        project: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    store, base, candidate = project
    assert main(["report", candidate, "--baseline", "model:digits@production", "--require", "metrics.val_acc > 0.95",
                 "--format", "markdown", "--all-params", "--store", store]) == 1
    page = _render(capsys.readouterr().out)
    assert "<h2>❌ candidate" in page and "1 gate(s) fail" in page
    assert "write them as SVG files with <code>--assets DIR</code>" in page
    params = page.split("<h3>Params</h3>")[1].split("</table>")[0]
    assert ">epochs<" in params and ">note<" in params


def test_report_without_a_baseline_lists_the_runs_side_by_side(project: tuple[str, str, str],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    store, base, candidate = project
    assert main(["report", base, candidate, "--format", "markdown", "--store", store]) == 0
    out = capsys.readouterr().out
    page = _render(out)
    assert "<h3>Gates</h3>" not in page and "<details>" not in page and "Δ" not in page
    assert page.count("<th") >= 3 + 3  # metric + two runs in both tables


def test_html_report_is_one_escaped_page_with_inline_charts(project: tuple[str, str, str], tmp_path: Path) -> None:
    store, base, candidate = project
    output = tmp_path / "report.html"
    assert main(["report", candidate, *GATES, "--format", "html", "--output", str(output), "--store", store]) == 0
    page = output.read_text()
    assert page.startswith("<!DOCTYPE html>\n" + MARKER)
    assert page.count('<img src="data:image/svg+xml;base64,') == 2
    assert HOSTILE not in page and "&lt;img src=x onerror=" in page
    assert "<details><summary>" in page


@pytest.mark.parametrize(("argv", "message"), [
    (["--format", "html", "--assets", "ASSETS"], "--assets is for --format markdown"),
    (["--format", "markdown", "--output", "NOWHERE/report.md"], "there is no directory"),
    (["--format", "markdown", "--output", "DIR"], "is a directory"),
    (["--format", "markdown", "--assets", "FILE"], "is a file; name a directory"),
    (["--format", "markdown", "--baseline", "model:digits@staging"], "resolves to nothing"),
    (["--format", "markdown", "--max-regression", "val_acc=1"], "compares with a baseline"),
    (["--format", "markdown", "--baseline", "model:digits@production", "--max-regression", "f1=1"],
     "has no metric 'f1'"),
])
def test_report_bad_usage_exits_2(project: tuple[str, str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    store, base, candidate = project
    (tmp_path / "FILE").write_text("x")
    (tmp_path / "DIR").mkdir()
    argv = [str(tmp_path / arg) if arg.split("/")[0] in ("ASSETS", "NOWHERE", "DIR", "FILE") else arg for arg in argv]
    assert main(["report", candidate, *argv, "--store", store]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err


def test_report_of_unknown_runs_exits_2_and_of_the_baseline_itself_shows_nothing_changed(
        project: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    store, base, candidate = project
    assert main(["report", "latest:name = 'nobody'", "--format", "markdown", "--store", store]) == 2
    assert "no run matches" in capsys.readouterr().err
    # a pull request that left the pipeline alone reuses the run behind production
    assert main(["report", base, "--baseline", "model:digits@production", "--format", "markdown",
                 "--store", store]) == 0
    page = _render(capsys.readouterr().out)
    assert f"Run {base} is the baseline itself: nothing changed" in page and "+0 ✅" in page
    assert "<h3>Params</h3>" in page  # one run: all its params
    with pytest.raises(SystemExit) as exited:
        main(["report", candidate, "--store", store])
    assert exited.value.code == 2 and "--format" in capsys.readouterr().err
