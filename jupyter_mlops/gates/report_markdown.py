"""A report as Markdown for a pull-request comment or a job summary (GitHub and GitLab flavours).

Tables are GFM tables (a header row, a delimiter row, ``|`` escaped in cells); the cell diff is
a fenced ``diff`` block inside ``<details>``, with blank lines around it so both sites render
the Markdown inside the HTML block. Every piece of user text goes through
:func:`jupyter_mlops.render.markdown.text`. Charts are SVG files in an assets folder, linked by
their path relative to the report's own file.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from urllib.parse import quote

from ..render import markdown as md
from .report import MARKER, Report
from .report_tables import Table, cell_sections, gates_table, headline, metrics_table, params_table

_MARKS = {"pass": " ✅", "fail": " ❌"}


def _table(table: Table) -> str:
    rows = [[md.text(cell.text) + _MARKS.get(cell.mark, "") for cell in row] for row in table.rows]
    return md.table([md.text(h) for h in table.header], rows,
                    ["right" if numeric else "left" for numeric in table.numeric])


def chart_file_name(index: int, metric: str) -> str:
    return f"metric-history-{index + 1:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', metric)[:60]}.svg"


def write_charts(report: Report, assets: Path) -> list[tuple[str, Path]]:
    """Each chart of ``report`` as an SVG file in ``assets`` (made when missing)."""
    from ..render.chart_svg import spec_to_svg

    if assets.exists() and not assets.is_dir():
        raise FileExistsError(f"--assets {assets} is a file, not a directory")
    assets.mkdir(parents=True, exist_ok=True)
    written = []
    for index, chart in enumerate(report.charts):
        path = assets / chart_file_name(index, chart.metric)
        path.write_text(spec_to_svg(chart.spec), encoding="utf-8")
        written.append((chart.metric, path))
    return written


def report_markdown(report: Report, *, assets: Path | None = None, output: Path | None = None) -> str:
    """The Markdown text; with ``assets``, the chart files are written there too."""
    mark = "" if report.passed is None else "✅ " if report.passed else "❌ "
    parts = [MARKER, f"## {mark}{md.text(headline(report))}", ""]
    parts += ["### Metrics", "", _table(metrics_table(report)) if report.metrics else "No metrics logged.", ""]
    if report.checks:
        parts += ["### Gates", "", _table(gates_table(report)), ""]
    title = "Params" if report.all_params or len(report.columns) < 2 else "Changed params"
    if report.params:
        parts += [f"### {title}", "", _table(params_table(report)), ""]
    else:
        parts += [f"### {title}", "", "No param changed.", ""]
    if report.charts:
        parts += ["### Metric history", ""]
        if assets is None:
            parts += [f"{len(report.charts)} chart(s) left out: write them as SVG files with `--assets DIR`.", ""]
        else:
            start = output.parent if output is not None else Path.cwd()
            for metric, path in write_charts(report, assets):
                link = quote(Path(os.path.relpath(path.resolve(), start.resolve())).as_posix())
                parts += [f"![{md.text(metric)}]({link})", ""]
    for section in cell_sections(report):
        if not section.diff:
            parts += [md.text(section.summary), ""]
            continue
        parts.append(md.details(html.escape(section.summary), md.fenced("\n".join(section.diff), "diff")))
    return "\n".join(parts).rstrip() + "\n"


__all__ = ["chart_file_name", "report_markdown", "write_charts"]
