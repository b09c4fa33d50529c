"""Metric gates: what ``mlops.check`` and ``jupyter mlops check`` decide about a run.

Three kinds of gate, each a :class:`Gate` with the run's value, the baseline's, the delta and a
verdict:

- ``status``: the run finished (a failed or interrupted run never passes);
- ``require``: a filter expression (the store's own filter language, compiled by the store with
  the run's id added, so there is one evaluator) holds for the run;
- ``max_regression``: the run is not worse than the baseline by more than a delta, absolute or
  relative (``0.5%``), in the metric's better direction (:mod:`jupyter_mlops.compare.direction`).

With a baseline and no ``max_regression``, every metric both runs have (system metrics left out)
is a gate that allows no regression at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..compare.direction import Direction, direction
from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.filter import Node
    from ..store.sqlstore import Store


@dataclass(frozen=True)
class Limit:
    """A largest allowed regression: ``amount`` in the metric's units, or percent when ``relative``."""

    amount: float
    relative: bool = False

    def __str__(self) -> str:
        return f"{self.amount:g}%" if self.relative else f"{self.amount:g}"


@dataclass(frozen=True)
class Gate:
    name: str
    kind: str  # "status", "require" or "max_regression"
    passed: bool
    value: Any = None  # the run's value (require: the fields it names, with the run's values)
    baseline: Any = None
    delta: float | None = None  # value - baseline
    limit: str | None = None
    direction: Direction | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "passed": self.passed, "value": self.value,
                "baseline": self.baseline, "delta": self.delta, "limit": self.limit,
                "direction": self.direction, "detail": self.detail}


@dataclass
class CheckResult:
    run: Run
    baseline: Run | None
    gates: list[Gate] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(gate.passed for gate in self.gates)

    @property
    def failed(self) -> list[Gate]:
        return [gate for gate in self.gates if not gate.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "run": _run_summary(self.run),
                "baseline": _run_summary(self.baseline) if self.baseline else None,
                "gates": [gate.to_dict() for gate in self.gates]}


def _run_summary(run: Run) -> dict[str, Any]:
    return {"id": run.id, "name": run.name, "experiment": run.experiment, "status": run.status}


def parse_limit(text: str) -> Limit:
    """``0.005`` or ``0.5%``: a regression limit of zero or more."""
    raw = str(text).strip()
    relative = raw.endswith("%")
    number = raw[:-1].strip() if relative else raw
    try:
        amount = float(number)
    except ValueError:
        raise InvalidInput(f"a regression limit is a number, or a percentage such as 0.5%, not {text!r}") from None
    if not math.isfinite(amount) or amount < 0:
        raise InvalidInput(f"a regression limit is a finite number of zero or more, not {text!r}")
    return Limit(amount, relative)


def parse_max_regression(items: Iterable[str]) -> dict[str, Limit]:
    """``METRIC=DELTA[%]`` options (``metrics.val_acc=0.005``, ``val_loss=2%``) as limits by metric."""
    limits: dict[str, Limit] = {}
    for item in items:
        key, sep, limit = str(item).partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--max-regression takes METRIC=DELTA or METRIC=DELTA%, e.g. "
                               f"metrics.val_acc=0.005, not {item!r}")
        limits[metric_key(key)] = parse_limit(limit)
    return limits


def metric_key(name: str) -> str:
    """``metrics.val_acc`` and ``val_acc`` name the same metric."""
    name = name.strip()
    return name[len("metrics."):] if name.startswith("metrics.") else name


def _known(names: Iterable[str]) -> str:
    listed = sorted(names)
    return ", ".join(listed) if listed else "none"


def _unknown_metric(key: str, run: Run, whose: str) -> InvalidInput:
    return InvalidInput(f"{whose} {run.id} has no metric {key!r}; its metrics: {_known(run.metrics)}")


def status_gate(run: Run) -> Gate:
    return Gate("status", "status", run.status == "finished", value=run.status,
                detail="" if run.status == "finished" else f"the run {run.status}, it did not finish")


def _fields(node: Node) -> list[tuple[str, str, str]]:
    """(kind, name, op) of each comparison in a filter tree, in order."""
    from ..store.filter import And, Not, Or

    if isinstance(node, (And, Or)):
        return [item for part in node.parts for item in _fields(part)]
    if isinstance(node, Not):
        return _fields(node.part)
    return [(node.field.kind, node.field.name, node.op)]


def require_gate(store: Store, run: Run, expression: str) -> Gate:
    """Whether ``expression`` (the filter language) holds for ``run``, decided by the store."""
    from ..store.filter import parse_filter

    node = parse_filter(expression)  # a syntax error names its position in the user's own text
    if node is None:
        raise InvalidInput("--require takes a filter expression, e.g. \"metrics.val_acc >= 0.9\"")
    values: dict[str, Any] = {}
    for kind, name, op in _fields(node):
        held = {"metrics": run.metrics, "params": run.params, "tags": run.tags}.get(kind)
        if held is None:
            values[name] = getattr(run, name, None)
        elif name in held:
            values[f"{kind}.{name}"] = held[name]
        elif kind == "metrics" and op not in ("is null", "is not null"):
            raise _unknown_metric(name, run, "run")
        elif kind == "params" and op not in ("is null", "is not null"):
            raise InvalidInput(f"run {run.id} has no param {name!r}; its params: {_known(run.params)}")
        else:
            values[f"{kind}.{name}"] = None
    holds = store.count_runs(filter=f"id = '{run.id}' and ({expression})") == 1
    return Gate(expression, "require", holds, value=values, detail="" if holds else "does not hold")


def regression_gate(key: str, run: Run, baseline: Run, limit: Limit,
                    overrides: Mapping[str, Direction] | None = None) -> Gate:
    """Whether metric ``key`` of ``run`` is within ``limit`` of ``baseline``'s, in its better direction."""
    if key not in run.metrics:
        raise _unknown_metric(key, run, "run")
    if key not in baseline.metrics:
        raise _unknown_metric(key, baseline, "baseline run")
    value, base = float(run.metrics[key]), float(baseline.metrics[key])
    better = direction(key, overrides)
    name = f"metrics.{key}"
    common = {"value": value, "baseline": base, "limit": str(limit), "direction": better}
    if not (math.isfinite(value) and math.isfinite(base)):
        same = value == base or (math.isnan(value) and math.isnan(base))
        return Gate(name, "max_regression", False, delta=None, **common,
                    detail="not a finite number in " + ("both runs" if same else
                                                        "the run" if not math.isfinite(value) else "the baseline"))
    delta = value - base
    regression = -delta if better == "max" else delta  # > 0: worse than the baseline
    allowed = abs(base) * limit.amount / 100 if limit.relative else limit.amount
    # a rounding error in the subtraction must not fail a run that equals its limit
    passed = regression <= allowed + 1e-12 * max(1.0, abs(base))
    detail = ""
    if not passed:
        worse = f"{regression / abs(base) * 100:.3g}%" if limit.relative and base else f"{regression:.6g}"
        detail = f"worse than the baseline by {worse} ({'higher' if better == 'max' else 'lower'} is better), " \
                 f"more than {limit}"
    return Gate(name, "max_regression", passed, delta=delta, **common, detail=detail)


def evaluate(store: Store, run: Run, baseline: Run | None, require: Iterable[str] = (),
             max_regression: Mapping[str, Limit | str | float] | None = None,
             overrides: Mapping[str, Direction] | None = None) -> CheckResult:
    """Every gate for ``run`` (see the module), in the order: status, requirements, regressions."""
    requirements = [require] if isinstance(require, str) else list(require)
    limits = {metric_key(key): limit if isinstance(limit, Limit) else parse_limit(str(limit))
              for key, limit in (max_regression or {}).items()}
    if limits and baseline is None:
        raise InvalidInput("--max-regression compares with a baseline: give --baseline REF "
                           "(a run id, model:NAME@ALIAS, model:NAME/VERSION or best:ORDER)")
    if baseline is None and not requirements:
        raise InvalidInput("nothing to check: give --baseline REF, --require EXPR or --max-regression METRIC=DELTA")
    for key in limits:  # every name is checked before any gate is decided
        if key not in run.metrics:
            raise _unknown_metric(key, run, "run")
    result = CheckResult(run, baseline, [status_gate(run)])
    result.gates.extend(require_gate(store, run, expression) for expression in requirements)
    if baseline is not None:
        if not limits:
            shared = [key for key in run.metrics if key in baseline.metrics and not key.startswith("system/")]
            if not shared:
                raise InvalidInput(f"run {run.id} and baseline {baseline.id} share no metric to compare; "
                                   f"the run's metrics: {_known(run.metrics)}; the baseline's: "
                                   f"{_known(baseline.metrics)}")
            limits = {key: Limit(0.0) for key in sorted(shared)}
        result.gates.extend(regression_gate(key, run, baseline, limit, overrides) for key, limit in limits.items())
    return result


__all__ = ["CheckResult", "Gate", "Limit", "evaluate", "metric_key", "parse_limit", "parse_max_regression"]
