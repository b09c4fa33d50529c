"""Sweeps: one notebook over a grid of parameter values (or a random sample of it), as a parent
run with one child run per combination (``jupyter mlops sweep``)."""

from __future__ import annotations

import itertools
import json
import os
import random as _random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import resolve_location
from ..environment import capture_environment
from ..errors import describe_error
from ..notebook.params import InvalidParameterName, check_parameter_names
from ..store import open_store
from ..store.ids import new_run_id
from ..tracking.writer import beating
from .errors import GridError, Interrupted, ParameterError
from .executors import PRESTART, Executor, make_executor
from .jobs import ExecutionResult, Job
from .parameters import TextValue, coerce
from .parent_run import close_parent, open_parent, summary_order
from .progress import Progress
from .targets import Target, check_names, check_timeout, prepare_target

if TYPE_CHECKING:
    from ..store.entities import Run

_OPENERS = {"[": "]", "{": "}", "(": ")"}


def parse_grid(options: Sequence[str]) -> dict[str, list[TextValue]]:
    """``["lr=0.1,0.01", "epochs=5,10"]`` as ``{"lr": ["0.1", "0.01"], "epochs": ["5", "10"]}``.

    Commas inside brackets or quotes do not split: ``layers=[64,32],[128]`` has two values.
    """
    grid: dict[str, list[TextValue]] = {}
    for option in options:
        name, sep, values = option.partition("=")
        name = name.strip()
        if not sep or not name:
            raise GridError(f"--grid {option!r} is not NAME=V1,V2,...; e.g. --grid lr=0.1,0.01")
        try:
            check_parameter_names([name], f"--grid {option!r}")
        except InvalidParameterName as exc:
            raise GridError(str(exc)) from None
        if name in grid:
            raise GridError(
                f"--grid names {name!r} twice; give all its values in one option: "
                f"--grid {name}=V1,V2,..."
            )
        items = _split_values(values)
        if not items or any(not item.strip() for item in items):
            raise GridError(
                f"--grid {option!r} has an empty value; list values separated by "
                "commas, e.g. --grid lr=0.1,0.01"
            )
        grid[name] = [TextValue(item.strip()) for item in items]
    return grid


def _split_values(text: str) -> list[str]:
    if not text.strip():
        return []
    items: list[str] = []
    current: list[str] = []
    stack: list[str] = []
    quote: str | None = None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPENERS:
            stack.append(_OPENERS[char])
        elif stack and char == stack[-1]:
            stack.pop()
        elif char == "," and not stack:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    if quote or stack:
        raise GridError(f"--grid value {text!r} has an unclosed {'quote' if quote else 'bracket'}")
    items.append("".join(current))
    return items


def combinations(
    grid: Mapping[str, Sequence[Any]], random: int | None = None, seed: int | None = None
) -> list[dict[str, Any]]:
    """Every combination of the grid in order, or ``random`` of them drawn without repeats."""
    if not grid:
        raise GridError("the grid is empty; give at least one --grid NAME=V1,V2,...")
    names = list(grid)
    for name in names:
        if not grid[name]:
            raise GridError(f"the grid gives no values for {name!r}")
    sizes = [len(grid[n]) for n in names]
    total = 1
    for size in sizes:
        total *= size
    if random is None:
        return [
            dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())
        ]
    if random < 1:
        raise GridError(f"--random must be at least 1, got {random}")
    if random > total:
        raise GridError(
            f"--random {random} asks for more runs than the grid's {total} combinations; "
            f"ask for at most {total}, or drop --random to run them all"
        )
    picks = _random.Random(seed).sample(range(total), random)
    chosen = []
    for index in picks:
        combo = {}
        for name, size in zip(reversed(names), reversed(sizes), strict=True):
            index, position = divmod(index, size)
            combo[name] = grid[name][position]
        chosen.append({name: combo[name] for name in names})
    return chosen


@dataclass
class SweepResult:
    parent_id: str
    status: str  # the parent's: finished, failed or interrupted
    results: list[ExecutionResult] = field(default_factory=list)
    store: str = ""
    order_by: str = "started_at"

    @property
    def failed(self) -> list[ExecutionResult]:
        return [r for r in self.results if not r.ok]

    def children(self, order_by: str | None = None) -> list[Run]:
        """The child runs, in the sweep's ``sort`` order unless ``order_by`` says otherwise."""
        return open_store(self.store).search_runs(
            f"parent_id = '{self.parent_id}'", order_by=order_by or self.order_by, limit=None
        )

    @property
    def parent(self) -> Run:
        return open_store(self.store).get_run(self.parent_id)


def sweep(
    notebook: str | os.PathLike[str],
    grid: Mapping[str, Sequence[Any]],
    *,
    parameters: Mapping[str, Any] | None = None,
    random: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    sort: str | None = None,
    name: str | None = None,
    experiment: str = "default",
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    tags: Mapping[str, Any] | None = None,
    store: str | os.PathLike[str] | None = None,
    prestart: int = PRESTART,
    progress: bool = True,
    on_start: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run ``notebook`` once per combination of ``grid`` (``{"lr": [0.1, 0.01], ...}``), or for
    ``random`` combinations drawn with ``seed``, on ``workers`` parallel workers.

    Every value is checked against the parameters cell first, so a bad value runs nothing.
    One failing child does not stop the others; the parent ends ``failed`` if any child failed.
    Ctrl-C raises :class:`~.errors.Interrupted` (a KeyboardInterrupt) carrying the result:
    running children end ``interrupted``, queued ones never start.
    """
    target = prepare_target(notebook, kernel, cwd)
    fixed = target.resolve(parameters or {})
    typed = _typed_grid(target, grid)
    combos = combinations(typed, random, seed)
    order_by = summary_order(sort)
    limit = check_timeout(timeout)
    location = resolve_location(store, cwd=os.getcwd())
    with make_executor(executor, workers, scheduler, prestart) as runner:
        runner.start()  # workers import papermill while the parent run is created
        check_names(name, experiment)  # (imports the store's SQL layer)
        the_store = open_store(location)
        env = capture_environment(target.cwd)
        parent_tags = {
            "notebook": target.notebook.path or target.notebook.origin,
            "grid": json.dumps(typed),
            **{str(k): str(v) for k, v in (tags or {}).items()},
        }
        if random is not None:
            parent_tags.update({"random": str(random), "seed": str(seed)})
        parent_id = open_parent(
            the_store,
            name=name or f"sweep {target.stem}",
            experiment=experiment,
            kind="sweep",
            env=env,
            params=fixed,
            tags=parent_tags,
            notebook_path=target.notebook.path,
        )
        if on_start is not None:
            on_start(parent_id)
        jobs = [
            target.job(
                new_run_id(),
                {**fixed, **combo},
                store=location,
                name=_child_name(target, combo),
                experiment=experiment,
                parent_id=parent_id,
                timeout=limit,
                key=str(index),
                batch=parent_id,
                env=env,
                tags={"kernel": target.kernel_name, "sweep_index": str(index)},
            )
            for index, combo in enumerate(combos)
        ]
        result = SweepResult(parent_id, "running", store=location, order_by=order_by)
        bar = Progress(len(jobs), f"sweep {target.stem}", enabled=progress)
        interrupted = False
        try:
            with beating(the_store, parent_id):
                interrupted = _drive(runner, jobs, result, bar)
        finally:
            bar.close()
            result.status = close_parent(
                the_store, parent_id, [r.status for r in result.results], interrupted, "runs"
            )
    if interrupted:
        raise Interrupted(result)
    return result


def _drive(runner: Executor, jobs: list[Job], result: SweepResult, bar: Progress) -> bool:
    """Run the jobs, recording each outcome; on Ctrl-C stop them. True when interrupted."""
    try:
        runner.submit(*jobs)
        while runner.busy:
            for outcome in runner.wait(timeout=0.5 if bar.tty else None):
                _record(result, outcome, bar)
            bar.update(running=runner.running)
            if runner.interrupted:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        bar.note("interrupted: stopping the running notebooks; queued ones will not start")
        for outcome in runner.cancel():
            _record(result, outcome, bar)
        return True
    return False


def _typed_grid(target: Target, grid: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    specs = target.specs
    check_parameter_names(grid, "the grid")
    typed: dict[str, list[Any]] = {}
    problems = []
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise GridError(f"the grid values of {name!r} must be a list, got {values!r}")
        converted = []
        for value in values:
            try:
                converted.append(coerce((specs or {}).get(name), name, value))
            except ParameterError as exc:  # every bad value in one message
                problems.append(str(exc))
        typed[name] = converted
    if problems:
        raise ParameterError("; ".join(problems))
    unknown = [name for name in grid if name not in (specs or {})]
    if unknown:
        target.resolve({name: typed[name][0] for name in unknown if typed[name]})  # warns
    return typed


def _child_name(target: Target, combo: Mapping[str, Any]) -> str:
    text = " ".join(
        f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in combo.items()
    )
    name = f"{target.stem} {text}".strip()
    return name if len(name) <= 200 else name[:199] + "…"


def _record(result: SweepResult, outcome: ExecutionResult, bar: Progress) -> None:
    result.results.append(outcome)
    detail = outcome.status
    if outcome.error and outcome.status != "finished":
        detail += f" ({describe_error(outcome.error)})"
    bar.finished(f"run {outcome.run_id}", outcome.ok, detail)
