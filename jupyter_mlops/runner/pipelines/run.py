"""Running a checked pipeline: independent steps in parallel, failures skipping descendants,
cached steps reused, one parent run with a child per step."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...config import resolve_location
from ...errors import RunError, describe_error
from ...store import open_store
from ...store.ids import new_run_id
from ...tracking.writer import beating
from ..errors import Interrupted, ParameterError
from ..executors import make_executor
from ..jobs import ExecutionResult
from ..parent_run import close_parent, open_parent
from ..progress import Progress
from .cache import cache_key, check_cache, resolved_parameters, reuse
from .references import MissingOutput

if TYPE_CHECKING:
    from ...store.entities import Run
    from .spec import Pipeline, Step

#: What a step ends as. ``cached`` reused an earlier execution; ``skipped`` had a failed upstream.
STEP_STATUSES = ("finished", "failed", "cached", "skipped", "interrupted", "not run")


@dataclass
class StepResult:
    name: str
    status: str  # one of STEP_STATUSES
    run_id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    cached_from: str | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("finished", "cached")


@dataclass
class PipelineResult:
    parent_id: str
    status: str
    steps: dict[str, StepResult]
    store: str = ""

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps.values())

    @property
    def parent(self) -> Run:
        return open_store(self.store).get_run(self.parent_id)


class PipelineRun:
    def __init__(
        self,
        pipeline: Pipeline,
        force: bool,
        workers: int | None,
        executor: str,
        scheduler: str | None,
        store: str | os.PathLike[str] | None,
        prestart: int,
        progress: bool,
    ) -> None:
        self.pipeline = pipeline
        self.force = force
        if workers is None:
            workers = max(1, min(os.cpu_count() or 1, pipeline.width()))
        self.executor = make_executor(executor, workers, scheduler, prestart)
        self.executor_kind = executor
        self.location = resolve_location(store, cwd=os.getcwd())
        self.store = open_store(self.location)
        self.results: dict[str, StepResult] = {}
        self.running: dict[str, str] = {}  # run id -> step
        self.bar = Progress(len(pipeline.steps), f"pipeline {pipeline.name}", enabled=progress)

    def run(self) -> PipelineResult:
        from ...environment import capture_environment

        pipeline = self.pipeline
        with self.executor:
            if self.executor_kind == "dask":
                self.executor.start()  # an unreachable cluster is reported before anything runs
            self.env = capture_environment(
                os.path.dirname(pipeline.path) if pipeline.path else None
            )
            tags = {"pipeline": pipeline.path or pipeline.name}
            if self.force:
                tags["force"] = "true"
            self.parent_id = open_parent(
                self.store,
                name=pipeline.name,
                experiment=pipeline.experiment,
                kind="pipeline",
                env=self.env,
                tags=tags,
            )
            interrupted = False
            try:
                with beating(self.store, self.parent_id):
                    interrupted = self._drive()
            finally:
                self.bar.close()
                for name in pipeline.order:
                    self.results.setdefault(name, StepResult(name, "not run"))
                statuses = [r.status for r in self.results.values()]
                status = close_parent(self.store, self.parent_id, statuses, interrupted, "steps")
        result = PipelineResult(
            self.parent_id, status, {n: self.results[n] for n in pipeline.order}, self.location
        )
        if interrupted:
            raise Interrupted(result)
        return result

    def _drive(self) -> bool:
        """Settle and run steps until none is left; on Ctrl-C stop them. True when interrupted."""
        try:
            self._advance()
            while self.executor.busy:
                for outcome in self.executor.wait(timeout=0.5 if self.bar.tty else None):
                    self._finished(outcome)
                self._advance()
                self.bar.update(running=self.executor.running)
                if self.executor.interrupted:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            self.bar.note("interrupted: stopping the running steps; the others will not start")
            for outcome in self.executor.cancel():
                self._finished(outcome)
            return True
        return False

    def _advance(self) -> None:
        """Settle every step that can be settled now: skip, reuse or submit it."""
        changed = True
        while changed:
            changed = False
            for name in self.pipeline.order:
                if name in self.results or name in self.running.values():
                    continue
                step = self.pipeline.steps[name]
                upstream = [self.results.get(dep) for dep in step.depends_on]
                if any(r is not None and not r.ok for r in upstream):
                    bad = next(r for r in upstream if r is not None and not r.ok)
                    self._settle(
                        StepResult(
                            name,
                            "skipped",
                            error=RunError(
                                "UpstreamFailed", f"step {bad.name!r} {bad.status}"
                            ).to_dict(),
                        )
                    )
                    changed = True
                elif all(r is not None for r in upstream):
                    self._start(step)
                    changed = True

    def _start(self, step: Step) -> None:
        outputs = {name: r.outputs for name, r in self.results.items()}
        try:
            parameters = resolved_parameters(step, outputs)
        except (MissingOutput, ParameterError) as exc:
            self._settle(self._failed_without_running(step, exc))
            return
        key = cache_key(step, parameters, outputs)
        tags = {
            "step": step.name,
            "pipeline": self.pipeline.name,
            "cache_key": key,
            "kernel": step.target.kernel_name,
        }
        if not self.force:
            check = check_cache(self.store, key)
            earlier = check.run
            if check.reason:  # an earlier execution exists, but its input files changed
                self.bar.note(f"{step.name}: {check.reason}")
                tags["rerun_reason"] = check.reason[:250]
            if earlier is not None:
                run_id = reuse(
                    self.store,
                    earlier,
                    name=f"{step.name} (cached)",
                    experiment=self.pipeline.experiment,
                    parent_id=self.parent_id,
                    tags=tags,
                )
                origin = earlier.tags.get("cached_from") or earlier.id
                self._settle(
                    StepResult(
                        step.name, "cached", run_id, dict(earlier.outputs), cached_from=origin
                    )
                )
                return
        job = step.target.job(
            new_run_id(),
            parameters,
            store=self.location,
            name=step.name,
            experiment=self.pipeline.experiment,
            parent_id=self.parent_id,
            tags=tags,
            timeout=step.timeout,
            key=step.name,
            batch=self.parent_id,
            env=self.env,
        )
        self.running[job.run_id] = step.name
        self.executor.submit(job)

    def _failed_without_running(self, step: Step, exc: Exception) -> StepResult:
        error = RunError.from_exception(exc, traceback="").to_dict()
        run_id = new_run_id()
        self.store.create_run(
            run_id,
            name=step.name,
            experiment=self.pipeline.experiment,
            parent_id=self.parent_id,
            source="notebook",
            notebook_path=step.target.notebook.path,
            env=self.env,
            tags={"step": step.name, "pipeline": self.pipeline.name},
        )
        self.store.end_run(run_id, "failed", error=error)
        return StepResult(step.name, "failed", run_id, error=error)

    def _finished(self, outcome: ExecutionResult) -> None:
        name = self.running.pop(outcome.run_id, outcome.key)
        status = outcome.status if outcome.status in STEP_STATUSES else "failed"
        self._settle(
            StepResult(
                name,
                status,
                outcome.run_id,
                dict(outcome.outputs),
                outcome.error,
                duration=outcome.duration,
            )
        )

    def _settle(self, result: StepResult) -> None:
        self.results[result.name] = result
        detail = result.status
        if result.status == "cached":
            detail += f" (reuses run {result.cached_from})"
        elif result.error and result.status != "finished":
            detail += f" ({describe_error(result.error)})"
        self.bar.finished(f"step {result.name}", result.ok, detail)
