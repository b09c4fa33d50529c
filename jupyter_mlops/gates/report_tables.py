"""A report's tables as plain text cells, before any escaping: the one layout that the Markdown
and HTML renderings both escape and draw (so both always show the same numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from .report import Report, label
from .verdict import gate_rule, gate_value, number, signed


@dataclass(frozen=True)
class Cell:
    text: str
    mark: str = ""  # "pass" or "fail": a gate's verdict beside the text


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]
    numeric: list[bool]  # which columns hold numbers (right-aligned)


def params_table(report: Report) -> Table:
    columns = report.columns
    header = ["param", *(label(run, report.baseline) for run in columns)]
    rows = [[Cell(row.key), *(Cell(number(row.values[run.id]) if run.id in row.values else "-") for run in columns)]
            for row in report.params]
    return Table(header, rows, [False] * len(header))


def metrics_table(report: Report) -> Table:
    """A row per metric: the baseline's value, then each run's value, its delta and its gate."""
    base = report.baseline
    header = ["metric"] + ([label(base, base)] if base else [])
    for run in report.runs:
        header += [label(run, base)] + (["Δ"] if base else [])
    rows = []
    for row in report.metrics:
        cells = [Cell(row.key)]
        if base:
            cells.append(Cell(number(row.values.get(base.id))))
        for run in report.runs:
            cells.append(Cell(number(row.values.get(run.id))))
            if base:
                gate = report.gate_of(run.id, row.key)
                value, before = row.values.get(run.id), row.values.get(base.id)
                delta = value - before if isinstance(value, (int, float)) and isinstance(before, (int, float)) else None
                cells.append(Cell(signed(delta), "" if gate is None else "pass" if gate.passed else "fail"))
        rows.append(cells)
    return Table(header, rows, [False] + [True] * (len(header) - 1))


def gates_table(report: Report) -> Table:
    """Every gate of every run: the status and requirement gates the metric table cannot show too."""
    header = ["run", "gate", "value", "baseline", "delta", "rule", "detail"]
    rows = []
    for run in report.runs:
        check = report.checks.get(run.id)
        for gate in check.gates if check else ():
            rows.append([Cell(label(run, report.baseline), "pass" if gate.passed else "fail"), Cell(gate.name),
                         Cell(gate_value(gate)), Cell(number(gate.baseline)), Cell(signed(gate.delta)),
                         Cell(gate_rule(gate)), Cell(gate.detail)])
    return Table(header, rows, [False, False, True, True, True, False, False])


@dataclass(frozen=True)
class CellSection:
    """The cells of one run against the baseline: a one-line summary and the diff's lines."""

    summary: str
    diff: list[str]


def cell_sections(report: Report) -> list[CellSection]:
    from ..compare.render import cell_text

    sections = []
    for run in report.runs:
        diff = report.cell_diffs.get(run.id)
        if report.baseline is not None and run.id == report.baseline.id:
            sections.append(CellSection(f"Run {run.id} is the baseline itself: nothing changed", []))
        if diff is None:
            continue
        name = f"Notebook cells of {label(run, report.baseline)} against the baseline"
        if diff.snapshots != "both":
            sections.append(CellSection(f"{name}: not compared, the snapshot is {diff.snapshots}", []))
        elif not diff.cells:
            sections.append(CellSection(f"{name}: the same ({diff.unchanged_cells} cells)", []))
        else:
            lines: list[str] = []
            for cell in diff.cells:
                where = cell.index_a if cell.index_b is None else cell.index_b
                lines.append(f"# cell {where} ({cell.cell_type}) {cell.status}")
                lines.extend(cell_text(cell))
            sections.append(CellSection(f"{name}: {len(diff.cells)} differ, {diff.unchanged_cells} the same", lines))
    return sections


def headline(report: Report) -> str:
    """The report's first line: what it shows and, with gates, the verdict."""
    names = ", ".join(label(run, report.baseline) for run in report.runs)
    against = f" against {label(report.baseline, report.baseline)}" if report.baseline else ""
    if report.passed is None:
        return f"Runs {names}{against}"
    failed = sum(len(check.failed) for check in report.checks.values())
    verdict = "every gate passes" if report.passed else f"{failed} gate(s) fail"
    return f"{names}{against}: {verdict}"


__all__ = ["Cell", "CellSection", "Table", "cell_sections", "gates_table", "headline", "metrics_table",
           "params_table"]
