"""What ``jupyter mlops report`` shows, gathered once for its Markdown and HTML renderings:
the runs and their baseline, their checks, the params that changed, the metrics side by side,
the metric histories as Vega-Lite specs (the sidebar's own template, see
:mod:`jupyter_mlops.render.chart_specs`) and the notebook's cells compared with the baseline's
by the one cell matcher (:mod:`jupyter_mlops.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..compare.values import ValueRow, value_rows
from ..errors import InvalidInput
from .check import resolve_baseline, resolve_run
from .gates import CheckResult, Limit, evaluate

if TYPE_CHECKING:
    from ..compare.runs import RunDiff
    from ..store.entities import Run
    from ..store.sqlstore import Store

#: The hidden line a CI step looks for to update its one comment instead of adding another.
MARKER = "<!-- jupyter-mlops:report -->"
MAX_RUNS = 20
MAX_CHARTS = 12


@dataclass
class Chart:
    metric: str
    spec: dict[str, Any]


@dataclass
class Report:
    runs: list[Run]
    baseline: Run | None
    checks: dict[str, CheckResult] = field(default_factory=dict)  # run id -> its check (when gates were asked)
    params: list[ValueRow] = field(default_factory=list)
    metrics: list[ValueRow] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    cell_diffs: dict[str, RunDiff] = field(default_factory=dict)  # run id -> its cells against the baseline
    all_params: bool = False

    @property
    def columns(self) -> list[Run]:
        """The baseline first, then the runs: the order of every table's columns."""
        return list({run.id: run for run in ([self.baseline] if self.baseline else []) + self.runs}.values())

    @property
    def passed(self) -> bool | None:
        """Whether every run passed its gates; None when no gates were asked for."""
        return all(check.passed for check in self.checks.values()) if self.checks else None

    def gate_of(self, run_id: str, metric: str) -> Any:
        check = self.checks.get(run_id)
        if check is None:
            return None
        return next((g for g in check.gates if g.kind == "max_regression" and g.name == f"metrics.{metric}"), None)


def label(run: Run, baseline: Run | None) -> str:
    """A run's name in a report's tables and legends, unique among its columns."""
    tag = "baseline " if baseline is not None and run.id == baseline.id else ""
    return f"{tag}{run.name} ({run.id[-6:]})"


def _series(store: Store, runs: Sequence[Run], baseline: Run | None, metric: str) -> list[Any]:
    from ..render.chart_specs import RunSeries

    series = []
    for run in runs:
        history = store.metric_history(run.id, metric)
        series.append(RunSeries(run.id, label(run, baseline), list(history.steps), list(history.values),
                                list(history.timestamps), run.started_at, run.colour_slot))
    return series


def _charts(store: Store, columns: Sequence[Run], baseline: Run | None, metrics: Sequence[ValueRow]) -> list[Chart]:
    """A history chart of every metric some run logged more than once (system metrics last)."""
    from ..render.chart_specs import metric_history_spec

    keys = sorted((row.key for row in metrics), key=lambda key: (key.startswith("system/"), key))
    charts = []
    for key in keys:
        series = _series(store, columns, baseline, key)
        if max((len(s.steps) for s in series), default=0) > 1:
            charts.append(Chart(key, metric_history_spec(series, key)))
        if len(charts) == MAX_CHARTS:
            break
    return charts


def build_report(store: Store, runs: Sequence[Any], baseline: Any = None, *, require: Sequence[str] = (),
                 max_regression: Mapping[str, Limit | str | float] | None = None,
                 overrides: Mapping[str, Any] | None = None, wait: float | None = None,
                 all_params: bool = False, charts: bool = True) -> Report:
    """The report of ``runs`` (ids, ``latest:FILTER``, Runs) against ``baseline`` (a REF or a Run).

    Gates are checked when a baseline or a requirement is given; the baseline of ``best:ORDER``
    is chosen for the first run.
    """
    if not runs:
        raise InvalidInput("name one or more runs to report on")
    if len(runs) > MAX_RUNS:
        raise InvalidInput(f"a report shows at most {MAX_RUNS} runs, not {len(runs)}; name fewer")
    resolved = list({run.id: run for run in (resolve_run(store, ref, wait) for ref in runs)}.values())
    base = resolve_baseline(store, baseline, resolved[0])
    # a run may be its own baseline (a pull request that did not change the pipeline reuses the
    # run behind production): it is reported with nothing changed rather than refused
    others = [r for r in resolved if base is None or r.id != base.id]
    report = Report(others or resolved, base, all_params=all_params)
    if base is not None or require or max_regression:
        for run in report.runs:
            report.checks[run.id] = evaluate(store, run, base, require, max_regression, overrides)
    columns = report.columns
    report.params = value_rows(columns, "params")
    if not all_params and len(columns) > 1:
        report.params = [row for row in report.params if row.differs]
    report.metrics = value_rows(columns, "metrics", skip_system=True)
    if charts:
        report.charts = _charts(store, columns, base, report.metrics)
    if base is not None:
        from ..compare.runs import RunDiff, compare_runs

        for run in report.runs:
            if run.id != base.id:
                report.cell_diffs[run.id] = RunDiff.of(compare_runs([base, run], store.snapshot_bytes))
    return report


__all__ = ["MARKER", "Chart", "Report", "build_report", "label"]
