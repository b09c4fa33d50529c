"""``jupyter mlops pipeline FILE --dry-run``: which steps would run, and why, running nothing.

Each step is judged as a real run would judge it (:mod:`.cache`): reused when an earlier
execution has its cache key and its input files are unchanged. A step after one that would
run cannot be judged (its upstream outputs are not known yet): it runs too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...store import open_store
from ..errors import ParameterError
from .cache import cache_key, check_cache, resolved_parameters
from .references import MissingOutput

if TYPE_CHECKING:
    from .spec import Pipeline

RUN, CACHED, FAIL = "run", "cached", "fail"


@dataclass(frozen=True)
class StepPlan:
    name: str
    action: str  # RUN, CACHED or FAIL
    reason: str
    cached_from: str | None = None


def plan_pipeline(pipeline: Pipeline, store: str | os.PathLike[str] | None = None, *,
                  force: bool = False) -> list[StepPlan]:
    """What running ``pipeline`` now would do with each step, in its order."""
    the_store = open_store(store)
    outputs: dict[str, dict[str, Any]] = {}
    running: set[str] = set()
    plans = []
    for name in pipeline.order:
        step = pipeline.steps[name]
        upstream = [dep for dep in step.depends_on if dep in running]
        if force:
            plans.append(StepPlan(name, RUN, "--force runs every step"))
        elif upstream:
            plans.append(StepPlan(name, RUN, f"upstream {', '.join(sorted(upstream))} runs first"))
        else:
            try:
                parameters = resolved_parameters(step, outputs)
            except (MissingOutput, ParameterError) as exc:
                plans.append(StepPlan(name, FAIL, str(exc)))
                running.add(name)
                continue
            check = check_cache(the_store, cache_key(step, parameters, outputs))
            if check.run is not None:
                origin = check.run.tags.get("cached_from") or check.run.id
                plans.append(StepPlan(name, CACHED, f"unchanged since run {origin}", origin))
                outputs[name] = dict(check.run.outputs)
                continue
            plans.append(StepPlan(name, RUN, check.reason or "no earlier run with this notebook, "
                                  "these parameters and upstream outputs"))
        running.add(name)
    return plans


def plan_text(plans: list[StepPlan]) -> str:
    width = max((len(p.name) for p in plans), default=4)
    verbs = {RUN: "would run", CACHED: "cached", FAIL: "would fail"}
    lines = [f"{p.name.ljust(width)}  {verbs[p.action]:<10}  {p.reason}" for p in plans]
    runs = sum(p.action == RUN for p in plans)
    lines.append(f"dry run: {runs} of {len(plans)} steps would run; nothing was run")
    return "\n".join(lines) + "\n"


__all__ = ["StepPlan", "plan_pipeline", "plan_text"]
