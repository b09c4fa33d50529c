"""A report as one self-contained HTML page: the same tables as the Markdown, charts inline.

Every piece of user text is escaped with :func:`html.escape`. Charts are embedded as
``<img src="data:image/svg+xml;base64,...">``: an SVG shown as an image runs no script and
reaches nothing outside itself, whatever text a run name put in its legend.
"""

from __future__ import annotations

import base64
import html

from .report import MARKER, Report
from .report_tables import Table, cell_sections, gates_table, headline, metrics_table, params_table

_STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 4px 10px; border: 1px solid #d0d7de; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass, .fail { font-weight: 600; white-space: nowrap; } .pass { color: #1a7f37; } .fail { color: #cf222e; }
.verdict-pass { color: #1a7f37; } .verdict-fail { color: #cf222e; }
figure { margin: 8px 0 16px; } figcaption { color: #59636e; font-size: 12px; }
details { margin: 8px 0; } summary { cursor: pointer; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }
.add { color: #1a7f37; } .del { color: #cf222e; } .hunk { color: #59636e; }
"""
_MARKS = {"pass": ' <span class="pass">✓ pass</span>', "fail": ' <span class="fail">✗ fail</span>'}


def _table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = []
        for cell, numeric in zip(row, table.numeric, strict=True):
            css = ' class="num"' if numeric else ""
            cells.append(f"<td{css}>{html.escape(cell.text)}{_MARKS.get(cell.mark, '')}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _diff_line(line: str) -> str:
    css = "hunk" if line.startswith(("---", "+++", "# cell", "...")) else "add" if line.startswith("+") \
        else "del" if line.startswith("-") else ""
    text = html.escape(line)
    return f'<span class="{css}">{text}</span>' if css else text


def report_html(report: Report) -> str:
    from ..render.chart_svg import spec_to_svg

    verdict = "" if report.passed is None else "verdict-pass" if report.passed else "verdict-fail"
    mark = "" if report.passed is None else "✓ " if report.passed else "✗ "
    parts = ["<!DOCTYPE html>", MARKER, '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(headline(report))}</title><style>{_STYLE}</style></head><body>",
             f'<h1 class="{verdict}">{mark}{html.escape(headline(report))}</h1>',
             "<h2>Metrics</h2>", _table(metrics_table(report)) if report.metrics else "<p>No metrics logged.</p>"]
    if report.checks:
        parts += ["<h2>Gates</h2>", _table(gates_table(report))]
    title = "Params" if report.all_params or len(report.columns) < 2 else "Changed params"
    parts += [f"<h2>{title}</h2>", _table(params_table(report)) if report.params else "<p>No param changed.</p>"]
    if report.charts:
        parts.append("<h2>Metric history</h2>")
        for chart in report.charts:
            data = base64.b64encode(spec_to_svg(chart.spec).encode("utf-8")).decode("ascii")
            name = html.escape(chart.metric)
            parts.append(f'<figure><img src="data:image/svg+xml;base64,{data}" alt="history of {name}">'
                         f"<figcaption>{name}</figcaption></figure>")
    for section in cell_sections(report):
        if not section.diff:
            parts.append(f"<p>{html.escape(section.summary)}</p>")
            continue
        lines = "\n".join(_diff_line(line) for line in section.diff)
        parts.append(f"<details><summary>{html.escape(section.summary)}</summary><pre>{lines}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


__all__ = ["report_html"]
