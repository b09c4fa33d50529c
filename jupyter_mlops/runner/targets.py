"""A notebook made ready to execute: loaded, its kernel checked, its parameters read, and the
:class:`~.jobs.Job` of each execution built from it. Everything here runs before any kernel
starts, so bad input is refused with nothing run."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..notebook.cells import Notebook, load_notebook
from ..notebook.params import ParameterSpec, check_parameter_names, parameter_specs
from .errors import NotebookError, ParameterWarning
from .jobs import Job
from .kernels import NATIVE_KERNEL, check_kernel, kernel_language, resolve_kernel_name
from .parameters import resolve_parameters


@dataclass
class Target:
    """A notebook the runner will execute, possibly many times with different parameters."""

    notebook: Notebook
    kernel_name: str
    language: str | None
    cwd: str
    specs: dict[str, ParameterSpec] | None

    @property
    def stem(self) -> str:
        return Path(self.notebook.path).stem if self.notebook.path else "notebook"

    def resolve(self, given: Mapping[str, Any], warn: bool = True) -> dict[str, Any]:
        """``given`` converted to the parameters cell's types; unknown names are warned about,
        and so is a notebook with no parameters cell (papermill injects the values at its top)."""
        resolved = resolve_parameters(self.notebook, given)
        if warn and resolved.no_parameters_cell:
            warnings.warn(
                f"{self.notebook.origin} has no cell tagged 'parameters', so the parameters "
                f"({', '.join(resolved.values)}) go into an injected cell at the top of the "
                "notebook, as papermill does; tag the cell that sets their defaults 'parameters' "
                "to have them typed and injected after it",
                ParameterWarning,
                stacklevel=3,
            )
        elif warn:
            for name in resolved.unknown:
                known = ", ".join(sorted(self.specs or {})) or "none"
                warnings.warn(
                    f"parameter {name!r} is not set in the parameters cell of {self.notebook.origin} "
                    f"(it defines: {known}); it is injected anyway",
                    ParameterWarning,
                    stacklevel=3,
                )
        return resolved.values

    def job(
        self,
        run_id: str,
        parameters: Mapping[str, Any],
        *,
        store: str,
        name: str,
        experiment: str = "default",
        parent_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        timeout: float | None = None,
        output_path: str | None = None,
        key: str = "",
        batch: str = "",
        env: dict[str, Any] | None = None,
    ) -> Job:
        check_parameter_names(parameters)  # they are written into code: never a bad one
        return Job(
            run_id=run_id,
            notebook=self.notebook.for_execution(),
            kernel_name=self.kernel_name,
            cwd=self.cwd,
            store=store,
            name=name,
            notebook_path=self.notebook.path,
            input_label=self.notebook.path or self.notebook.origin,
            language=self.language,
            parameters=dict(parameters),
            experiment=experiment,
            parent_id=parent_id,
            tags=dict(tags or {}),
            timeout=timeout,
            output_path=output_path,
            key=key,
            batch=batch,
            env=env,
        )


def prepare_target(
    notebook: str | os.PathLike[str] | Notebook,
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Target:
    """Load and check a notebook: its kernel must exist and its parameters cell must parse."""
    loaded = notebook if isinstance(notebook, Notebook) else load_notebook(notebook)
    kernel_name = kernel or loaded.kernel_name
    if not kernel_name:
        language = loaded.language
        if language not in (None, "python"):
            raise NotebookError(f"{loaded.origin} names no kernel; pass one with --kernel")
        kernel_name = NATIVE_KERNEL
    kernel_name = resolve_kernel_name(kernel_name)
    check_kernel(kernel_name)
    language = kernel_language(kernel_name) or loaded.language or "python"
    if cwd is not None:
        directory = Path(cwd).expanduser().resolve()
        if not directory.is_dir():
            raise NotebookError(f"--cwd {os.fspath(cwd)} is not a directory")
    elif loaded.path:
        directory = Path(loaded.path).parent
    else:
        directory = Path.cwd()
    return Target(loaded, kernel_name, language, str(directory), parameter_specs(loaded))


def check_names(name: str | None, experiment: str) -> None:
    """Refuse a bad run or experiment name now rather than when the run is created."""
    from ..store.validation import validate_name

    if name is not None:
        validate_name("run name", name)
    validate_name("experiment name", experiment)


def check_output(output: str | os.PathLike[str] | None) -> str | None:
    """The absolute path of ``--output``; its directory must exist."""
    if output is None:
        return None
    path = Path(output).expanduser().resolve()
    if path.is_dir():
        raise NotebookError(
            f"--output {os.fspath(output)} is a directory; give the path of an .ipynb file"
        )
    if not path.parent.is_dir():
        raise NotebookError(
            f"--output {os.fspath(output)}: the directory {path.parent} does not exist; "
            "create it first"
        )
    return str(path)


def check_timeout(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise NotebookError(f"--timeout must be a number of seconds above 0, got {timeout!r}")
    return float(timeout)
