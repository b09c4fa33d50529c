"""Pipelines: notebooks as the steps of a DAG, read from a YAML file (``jupyter mlops pipeline``).

```yaml
name: churn
steps:
  prep:  {notebook: prep.ipynb,  parameters: {rows: 1000}}
  train: {notebook: train.ipynb, parameters: {data: "${steps.prep.outputs.path}", lr: 0.1},
          depends_on: [prep]}
```

Everything is checked before anything runs: unknown steps, cycles, references that cannot
resolve, missing notebooks, unknown kernels and parameter values of the wrong type. A run is a
parent run with one child per step. Independent steps run in parallel; a failed step stops its
descendants (skipped) but not the other branches. A step whose notebook content, resolved
parameters and upstream outputs match an earlier finished execution is not run again: it gets
a child run named ``STEP (cached)``, tagged ``cached_from`` with the execution it reuses, with
that execution's outputs, last metrics and snapshot (``--force`` runs everything).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...notebook.cells import load_notebook
from ...notebook.params import InvalidParameterName, check_parameter_names
from ..errors import ParameterError, PipelineError
from ..executors import PRESTART
from ..parameters import coerce
from ..targets import Target, check_timeout, prepare_target
from .references import Reference, references_in

if TYPE_CHECKING:
    from .run import PipelineResult

STEP_KEYS = ("notebook", "parameters", "depends_on", "kernel", "cwd", "timeout")
TOP_KEYS = ("name", "experiment", "steps")
_STEP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass
class Step:
    name: str
    target: Target
    parameters: dict[str, Any]  # as written, references unresolved (literals already typed)
    depends_on: list[str]
    timeout: float | None = None

    @property
    def references(self) -> list[Reference]:
        return references_in(self.parameters)


@dataclass
class Pipeline:
    """A checked pipeline: steps in an order where every step comes after what it depends on."""

    name: str
    experiment: str
    steps: dict[str, Step]
    order: list[str]
    path: str | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Pipeline:
        """Read and check a pipeline file; :class:`PipelineError` says what is wrong."""
        import yaml

        file = Path(path).expanduser()
        if not file.is_file():
            raise PipelineError(f"pipeline file {os.fspath(path)} does not exist; check the path")
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError(f"cannot read the pipeline file {file}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise PipelineError(f"{file} is not valid YAML: {exc}") from exc
        return cls.from_dict(
            data,
            base=file.resolve().parent,
            origin=str(file),
            default_name=file.stem,
            path=str(file.resolve()),
        )

    @classmethod
    def from_dict(
        cls,
        data: Any,
        base: str | os.PathLike[str],
        origin: str = "the pipeline",
        default_name: str = "pipeline",
        path: str | None = None,
    ) -> Pipeline:
        if not isinstance(data, dict):
            raise PipelineError(
                f"{origin} must be a YAML mapping with a 'steps' mapping, e.g.\n"
                "steps:\n  prep: {notebook: prep.ipynb}"
            )
        unknown = sorted(set(data) - set(TOP_KEYS))
        if unknown:
            raise PipelineError(
                f"{origin}: unknown key(s) {', '.join(map(repr, unknown))}; "
                f"a pipeline has {', '.join(TOP_KEYS)}"
            )
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, dict) or not raw_steps:
            raise PipelineError(
                f"{origin} has no steps; list them under 'steps:', e.g.\n"
                "steps:\n  prep: {notebook: prep.ipynb}"
            )
        name = str(data.get("name") or default_name)
        experiment = str(data.get("experiment") or name)
        base_dir = Path(base)
        steps = {
            str(step): _load_step(str(step), spec, base_dir, origin)
            for step, spec in raw_steps.items()
        }
        _check_graph(steps, origin)
        order = _topological(steps)
        for step in steps.values():
            _check_references(step, steps, origin)
        return cls(name, experiment, steps, order, path)

    # --- running ---------------------------------------------------------------------------

    def width(self) -> int:
        """The most steps that can run at once (steps at the same depth of the DAG)."""
        depth: dict[str, int] = {}
        for name in self.order:
            deps = self.steps[name].depends_on
            depth[name] = 1 + max((depth[d] for d in deps), default=-1)
        counts: dict[int, int] = {}
        for level in depth.values():
            counts[level] = counts.get(level, 0) + 1
        return max(counts.values(), default=1)

    def run(
        self,
        *,
        force: bool = False,
        workers: int | None = None,
        executor: str = "local",
        scheduler: str | None = None,
        store: str | os.PathLike[str] | None = None,
        prestart: int = PRESTART,
        progress: bool = True,
    ) -> PipelineResult:
        """Run the steps; see :func:`run_pipeline`."""
        from .run import PipelineRun

        return PipelineRun(
            self, force, workers, executor, scheduler, store, prestart, progress
        ).run()


def _load_step(name: str, spec: Any, base: Path, origin: str) -> Step:
    if not _STEP_NAME.match(name):
        raise PipelineError(
            f"{origin}: step name {name!r} must start with a letter and hold "
            "letters, digits, _ or -"
        )
    if isinstance(spec, str):
        spec = {"notebook": spec}
    if not isinstance(spec, dict):
        raise PipelineError(f"{origin}: step {name!r} must be a mapping with at least 'notebook'")
    unknown = sorted(set(spec) - set(STEP_KEYS))
    if unknown:
        raise PipelineError(
            f"{origin}: step {name!r} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"a step has {', '.join(STEP_KEYS)}"
        )
    notebook = spec.get("notebook")
    if not isinstance(notebook, str) or not notebook.strip():
        raise PipelineError(f"{origin}: step {name!r} names no notebook; add notebook: PATH.ipynb")
    notebook_path = (base / notebook).expanduser()
    if not notebook_path.is_file():
        raise PipelineError(
            f"{origin}: the notebook of step {name!r}, {notebook}, does not exist "
            f"(looked for {notebook_path})"
        )
    parameters = spec.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(k, str) for k in parameters):
        raise PipelineError(
            f"{origin}: the parameters of step {name!r} must be a mapping of names to values"
        )
    depends_on = spec.get("depends_on") or []
    if isinstance(depends_on, str):
        depends_on = [depends_on]
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise PipelineError(
            f"{origin}: depends_on of step {name!r} must be a step name or a list of them"
        )
    cwd = spec.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        raise PipelineError(f"{origin}: cwd of step {name!r} must be a directory path")
    try:
        target = prepare_target(
            load_notebook(notebook_path), spec.get("kernel"), (base / cwd) if cwd else None
        )
        timeout = check_timeout(spec.get("timeout"))
    except PipelineError:
        raise
    except Exception as exc:
        raise PipelineError(f"{origin}: step {name!r}: {exc}") from exc
    typed = _type_literals(name, target, parameters, origin)
    return Step(name, target, typed, list(dict.fromkeys(depends_on)), timeout)


def _type_literals(
    step: str, target: Target, parameters: dict[str, Any], origin: str
) -> dict[str, Any]:
    """Literal values converted to the parameters cell's types now (references wait)."""
    try:
        check_parameter_names(parameters)
    except InvalidParameterName as exc:
        raise PipelineError(f"{origin}: the parameters of step {step!r}: {exc}") from None
    typed = {}
    for key, value in parameters.items():
        if references_in(value):
            typed[key] = value
            continue
        try:
            typed[key] = coerce((target.specs or {}).get(key), key, value)
        except ParameterError as exc:
            raise PipelineError(f"{origin}: step {step!r}: {exc}") from exc
    unknown = {
        k: typed[k]
        for k in parameters
        if k not in (target.specs or {}) and not references_in(typed[k])
    }
    if unknown:
        target.resolve(unknown)  # warns about each (or that there is no parameters cell)
    return typed


def _check_graph(steps: dict[str, Step], origin: str) -> None:
    names = ", ".join(steps)
    for step in steps.values():
        for dep in step.depends_on:
            if dep not in steps:
                raise PipelineError(
                    f"{origin}: step {step.name!r} depends on {dep!r}, which is not a "
                    f"step; the steps are: {names}"
                )
            if dep == step.name:
                raise PipelineError(f"{origin}: step {step.name!r} depends on itself")
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for dep in steps[name].depends_on:
            if state.get(dep) == 1:
                cycle = path[path.index(dep) :] + [dep]
                raise PipelineError(
                    f"{origin}: the steps depend on each other in a cycle: "
                    f"{' -> '.join(reversed(cycle))}; remove one of these depends_on"
                )
            if dep not in state:
                visit(dep)
        path.pop()
        state[name] = 2

    for name in steps:
        if name not in state:
            visit(name)


def _topological(steps: dict[str, Step]) -> list[str]:
    order: list[str] = []
    done: set[str] = set()

    def place(name: str) -> None:
        if name in done:
            return
        for dep in steps[name].depends_on:
            place(dep)
        done.add(name)
        order.append(name)

    for name in steps:
        place(name)
    return order


def _ancestors(name: str, steps: dict[str, Step]) -> set[str]:
    seen: set[str] = set()
    stack = list(steps[name].depends_on)
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(steps[dep].depends_on)
    return seen


def _check_references(step: Step, steps: dict[str, Step], origin: str) -> None:
    try:
        references = step.references
    except PipelineError as exc:
        raise PipelineError(f"{origin}: step {step.name!r}: {exc}") from exc
    upstream = _ancestors(step.name, steps)
    for reference in references:
        where = f"{origin}: step {step.name!r} refers to ${{steps.{reference.step}.outputs.{reference.output}}}"
        if reference.step not in steps:
            raise PipelineError(
                f"{where}, but there is no step {reference.step!r}; the steps are: "
                f"{', '.join(steps)}"
            )
        if reference.step == step.name:
            raise PipelineError(f"{where}: a step cannot use its own outputs")
        if reference.step not in upstream:
            raise PipelineError(
                f"{where} without depending on it; add {reference.step!r} to its "
                "depends_on so that it runs first"
            )


def run_pipeline(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    store: str | os.PathLike[str] | None = None,
    prestart: int = PRESTART,
    progress: bool = True,
) -> PipelineResult:
    """Load, check and run a pipeline file (``jupyter mlops pipeline``).

    ``workers`` defaults to the most steps that can run at once (at most the CPU count).
    Ctrl-C raises :class:`~.errors.Interrupted` carrying the :class:`PipelineResult`.
    """
    return Pipeline.load(path).run(
        force=force,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        store=store,
        prestart=prestart,
        progress=progress,
    )
