"""Reproducing a run: its stored notebook (the snapshot, not today's file) executed from top to
bottom in a fresh kernel with the run's own params, as a child run tagged ``reproduces = RUN``,
and every metric compared with the original's, last values and series, within a relative
tolerance (:mod:`..compare.tolerance`).

The verdict (``reproduced``, ``differs``, ``failed``) is stored on RUN as tag
``mlops.reproduced`` (``yes`` / ``no`` / ``failed``). For a ``%%track`` run, the execution
record of the interactive session explains a difference: cells that ran out of order, were
edited after they ran, or ran but are no longer in the notebook are its likely causes.

``jupyter mlops reproduce``, the REST API (``POST``/``GET runs/{id}/reproduce``), the sidebar's
"Check reproducibility" button and the widgets all come here.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..compare.tolerance import (
    DEFAULT_TOLERANCE,
    MetricDifference,
    compared_keys,
    metric_differences,
    parse_tolerance,
)
from ..errors import RunNotFound, RunStillRunning, describe_error
from ..render.reproduced import REPRODUCES_TAG, TAG_OF_VERDICT, TOLERANCE_TAG, VERDICT_TAG
from ..store import open_store
from .errors import Interrupted

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store
    from .jobs import Job

#: The likely causes listed in a text verdict (all of them are in the JSON).
CAUSES_SHOWN = 20

_CAUSE_WORDS = {
    "out_of_order": "ran out of order",
    "stale": "was edited after it ran",
    "missing": "ran, but is no longer in the notebook",
}


@dataclass(frozen=True)
class LikelyCause:
    """A cell of the interactive session that can explain why a reproduction differs."""

    kind: str  # "out_of_order", "stale" or "missing"
    execution_count: int | None
    source: str

    @property
    def first_line(self) -> str:
        return next((line for line in self.source.strip().splitlines()), "")

    def describe(self) -> str:
        count = "-" if self.execution_count is None else str(self.execution_count)
        line = self.first_line
        return f"[{count}] {line[:60] + ('…' if len(line) > 60 else '')}  {_CAUSE_WORDS[self.kind]}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "execution_count": self.execution_count, "source": self.source,
                "description": _CAUSE_WORDS[self.kind]}


@dataclass
class Reproduction:
    """A run and its reproduction compared (``verdict`` is ``running`` while it executes)."""

    run_id: str
    reproduction_id: str | None
    verdict: str  # "reproduced", "differs", "failed" or "running"
    tolerance: float
    compared: list[str] = field(default_factory=list)  # the metric keys compared
    differences: list[MetricDifference] = field(default_factory=list)
    new_metrics: list[str] = field(default_factory=list)  # logged by the reproduction only
    causes: list[LikelyCause] = field(default_factory=list)
    error: str | None = None  # why the reproduction failed

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "reproduction_id": self.reproduction_id,
            "verdict": self.verdict,
            "tag": TAG_OF_VERDICT.get(self.verdict),
            "tolerance": self.tolerance,
            "compared": self.compared,
            "differences": [d.to_json() for d in self.differences],
            "new_metrics": self.new_metrics,
            "likely_causes": [c.to_json() for c in self.causes],
            "error": self.error,
        }

    def text(self) -> str:
        """The verdict in words, as ``jupyter mlops reproduce`` prints it."""
        by = f"reproduction {self.reproduction_id}"
        names = ", ".join(self.compared[:8]) + (", …" if len(self.compared) > 8 else "")
        if self.verdict == "running":
            lines = [f"run {self.run_id}: {by} is still running"]
        elif self.verdict == "reproduced":
            what = f"every metric matched within {self.tolerance:g} ({len(self.compared)} compared: {names})" \
                if self.compared else "it ran to the end (the run logged no metrics to compare)"
            lines = [f"run {self.run_id} reproduced: {what}; {by}"]
        elif self.verdict == "failed":
            lines = [f"run {self.run_id}: {by} failed: {self.error or 'it did not finish'}"]
        else:
            lines = [f"run {self.run_id} differs: {len(self.differences)} of {len(self.compared)} metrics "
                     f"outside the tolerance {self.tolerance:g}; {by}"]
            width = max(len(d.key) for d in self.differences)
            for d in self.differences:
                how = "" if math.isinf(d.relative) else f"  ({_percent(d.relative)})"
                lines.append(f"  {d.key.ljust(width)}  {d.detail}{how}")
        if self.new_metrics and self.verdict != "running":
            lines.append(f"  only the reproduction logged: {', '.join(self.new_metrics[:8])}")
        if self.causes and self.verdict in ("differs", "failed"):
            lines.append("likely causes, from the execution record of the interactive session:")
            lines += [f"  {cause.describe()}" for cause in self.causes[:CAUSES_SHOWN]]
            if len(self.causes) > CAUSES_SHOWN:
                lines.append(f"  … and {len(self.causes) - CAUSES_SHOWN} more (see --format json)")
        return "\n".join(lines) + "\n"


def _percent(relative: float) -> str:
    return f"{relative * 100:.3g}%"


# --- starting one --------------------------------------------------------------------------


def reproduce(
    run: Run | str,
    *,
    tolerance: Any = DEFAULT_TOLERANCE,
    store: Any = None,
    background: bool = False,
    root: Any = None,
    kernel: str | None = None,
) -> Reproduction:
    """Execute run ``run``'s snapshot again with its params and judge the outcome.

    ``run`` is a run or a run id (a unique prefix will do). Bad input raises before anything
    is stored: an unknown or ambiguous id, a run still running (or already being reproduced),
    a run without a notebook snapshot, a bad tolerance. With ``background=True`` this returns
    (verdict ``running``) once the reproduction exists; the verdict is stored when it ends.
    """
    from ..store.sqlstore import Store

    the_store = store if isinstance(store, Store) else open_store(store)
    limit = parse_tolerance(tolerance)
    original = the_store.find_run(run) if isinstance(run, str) else run
    job = reproduction_job(the_store, original, limit, root=root, kernel=kernel)
    if background:
        from .background import start_in_background

        then = functools.partial(judge, the_store.location, original.id, job.run_id, limit)
        start_in_background(the_store, job, then=then)
        return Reproduction(original.id, job.run_id, "running", limit, compared_keys(original.metrics))
    from .executors import InlineExecutor

    with InlineExecutor() as executor:
        executor.submit(job)
        for _result in executor.results():
            pass
    if executor.interrupted:  # no verdict: the user stopped it
        raise Interrupted(the_store.get_run(job.run_id))
    return judge(the_store, original.id, job.run_id, limit)


def reproduction_job(
    store: Store, run: Run, tolerance: float, *, root: Any = None, kernel: str | None = None
) -> Job:
    """The job that reproduces ``run``; every check done, nothing stored."""
    from .reruns import rerun_job

    if run.status == "running":
        raise RunStillRunning(
            f"run {run.id} is still running; reproduce it once it has ended "
            f"(`jupyter mlops show {run.id}` shows its status)"
        )
    running = reproduction_in_progress(store, run.id)
    if running is not None:
        raise RunStillRunning(
            f"run {run.id} is being reproduced already, by run {running}; wait for its verdict "
            f"(`jupyter mlops show {run.id}`)"
        )
    from ..store.validation import MAX_NAME_LENGTH

    tags = {REPRODUCES_TAG: run.id, TOLERANCE_TAG: repr(tolerance)}
    suffix = " (reproduction)"
    name = run.name[: MAX_NAME_LENGTH - len(suffix)] + suffix  # told apart from RUN in every list
    return rerun_job(store, run.id, {}, name=name, root=root, kernel=kernel, tags=tags, parent_id=run.id)


def reproduction_in_progress(store: Store, run_id: str) -> str | None:
    """The id of a reproduction of ``run_id`` still running, if any."""
    found = store.search_runs(f"tags.{REPRODUCES_TAG} = '{run_id}' and status = 'running'", limit=1)
    return found[0].id if found else None


# --- judging one ---------------------------------------------------------------------------


def judge(store: Any, run_id: str, reproduction_id: str, tolerance: float) -> Reproduction | None:
    """Compare ``run_id`` with its ended reproduction and store the verdict on ``run_id``
    (None when the original was deleted meanwhile: nothing to store it on)."""
    from ..store.sqlstore import Store

    the_store = store if isinstance(store, Store) else open_store(store)
    try:
        original = the_store.get_run(run_id)
    except RunNotFound:
        return None
    reproduction = the_store.get_run(reproduction_id)
    result = assess(the_store, original, reproduction, tolerance)
    tag = _verdict_tag(result, reproduction)
    if tag is not None:
        the_store.set_tags(original.id, {VERDICT_TAG: tag})
    return result


def _verdict_tag(result: Reproduction, reproduction: Run) -> str | None:
    """The tag a verdict stores; none while it runs, or when someone stopped it (Ctrl-C,
    SIGTERM): that says nothing about the run."""
    if reproduction.status == "interrupted":
        return None
    return TAG_OF_VERDICT.get(result.verdict)


def latest_reproduction(store: Store, run: Run | str) -> Reproduction | None:
    """The newest reproduction of ``run``, judged again (None when it was never reproduced).

    Once it has ended, ``run``'s verdict tag is made to agree with it: the process that ran
    it stores the verdict a moment after the reproduction ends (or never, had it died), and
    whoever looks in between must not see an older verdict beside the new one."""
    original = store.get_run(run) if isinstance(run, str) else run
    found = store.search_runs(f"tags.{REPRODUCES_TAG} = '{original.id}'", limit=1)
    if not found:
        return None
    child = found[0]
    try:
        tolerance = parse_tolerance(child.tags.get(TOLERANCE_TAG, DEFAULT_TOLERANCE))
    except ValueError:
        tolerance = DEFAULT_TOLERANCE
    result = assess(store, original, child, tolerance)
    tag = _verdict_tag(result, child)
    if tag is not None and original.tags.get(VERDICT_TAG) != tag:
        store.set_tags(original.id, {VERDICT_TAG: tag})
    return result


def assess(store: Store, original: Run, reproduction: Run, tolerance: float) -> Reproduction:
    """The verdict on ``reproduction`` of ``original``, nothing stored."""
    result = Reproduction(original.id, reproduction.id, "running", tolerance, compared_keys(original.metrics))
    if reproduction.status == "running":
        return result
    result.causes = likely_causes(store, original)
    if reproduction.status != "finished":
        result.verdict = "failed"
        result.error = describe_error(reproduction.error) or f"it ended {reproduction.status}"
        return result

    def series(run_id: str) -> Any:
        def read(key: str) -> tuple[Any, Any]:
            history = store.metric_history(run_id, key)
            return history.steps, history.values

        return read

    result.differences = metric_differences(
        original.metrics, reproduction.metrics, tolerance, series(original.id), series(reproduction.id)
    )
    result.new_metrics = [key for key in compared_keys(reproduction.metrics) if key not in original.metrics]
    result.verdict = "differs" if result.differences else "reproduced"
    return result


def likely_causes(store: Store, run: Run) -> list[LikelyCause]:
    """What the execution record of an interactive (``%%track``) run says can explain a
    difference: cells run out of order, edited after they ran, or no longer in the notebook."""
    if run.source != "cell":
        return []  # the runner ran its notebook top to bottom: nothing to explain
    from ..capture.execution import normalised_source

    in_notebook = _snapshot_sources(store.snapshot_bytes(run.id), normalised_source)
    causes = []
    for cell in store.execution_record(run.id):
        if cell.out_of_order:
            causes.append(LikelyCause("out_of_order", cell.execution_count, cell.source))
        if cell.stale:
            causes.append(LikelyCause("stale", cell.execution_count, cell.source))
        elif in_notebook is not None and normalised_source(cell.source) not in in_notebook:
            causes.append(LikelyCause("missing", cell.execution_count, cell.source))
    return causes


def _snapshot_sources(data: bytes | None, normalise: Any) -> set[str] | None:
    if data is None:
        return None
    try:
        cells = json.loads(data).get("cells", [])
    except (ValueError, AttributeError):  # a stored notebook is never trusted to be well formed
        return None
    sources = set()
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.add(normalise(source if isinstance(source, str) else "".join(map(str, source))))
    return sources


__all__ = ["LikelyCause", "Reproduction", "assess", "judge", "latest_reproduction", "likely_causes",
           "reproduce", "reproduction_in_progress", "reproduction_job"]
