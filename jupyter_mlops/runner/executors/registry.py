"""Executors by name, as papermill finds its engines: the built-in ones (``local``, ``dask``)
are registered here by import path, so a module is imported only when its executor is used;
other packages add theirs with :func:`register_executor`, or with an entry point in the group
``jupyter_mlops.executors`` (``name = "package.module:factory"``), loaded on first look-up.

A factory is called as ``factory(workers=..., scheduler=..., prestart=...)`` and returns an
:class:`~.base.Executor`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ExecutorError

if TYPE_CHECKING:
    from .base import Executor

ExecutorFactory = Callable[..., "Executor"]

#: The entry-point group other packages register executors in.
ENTRY_POINT_GROUP = "jupyter_mlops.executors"
BUILTIN = {
    "local": "jupyter_mlops.runner.executors.local:local_executor",
    "dask": "jupyter_mlops.runner.executors.dask:DaskExecutor",
}


class ExecutorRegistry:
    """Names to executor factories (or to ``"module:attribute"`` paths, imported on use)."""

    def __init__(self) -> None:
        self._factories: dict[str, ExecutorFactory | str] = dict(BUILTIN)
        self._entry_points_loaded = False

    def register(self, name: str, factory: ExecutorFactory | str) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ExecutorError(f"an executor's name is a word such as 'local' or 'ray', not {name!r}")
        if not (callable(factory) or (isinstance(factory, str) and ":" in factory)):
            raise ExecutorError(
                f"executor {name!r} needs a factory (a callable returning an Executor) or its "
                f"import path 'package.module:attribute', not {factory!r}")
        self._factories[name] = factory

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._factories)

    def get(self, name: str) -> ExecutorFactory:
        if name not in self._factories:
            self._load_entry_points()
        factory = self._factories.get(name)
        if factory is None:
            raise ExecutorError(f"unknown executor {name!r}; use one of {', '.join(self.names())}")
        if isinstance(factory, str):
            factory = _imported(name, factory)
            self._factories[name] = factory
        return factory

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for point in entry_points(group=ENTRY_POINT_GROUP):
            self._factories.setdefault(point.name, point.value)


def _imported(name: str, path: str) -> ExecutorFactory:
    module, _, attribute = path.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ExecutorError(f"executor {name!r} cannot be loaded from {path}: {exc}") from exc
    if not callable(found):
        raise ExecutorError(f"executor {name!r} at {path} is not callable")
    return found  # type: ignore[no-any-return]


executors = ExecutorRegistry()


def register_executor(name: str, factory: ExecutorFactory | str) -> None:
    """Make ``--executor NAME`` (and ``executor=NAME``) use ``factory``."""
    executors.register(name, factory)


def get_executor(name: str) -> ExecutorFactory:
    """The factory of the executor called ``name``."""
    return executors.get(name)


def executor_names() -> list[str]:
    return executors.names()


def make_executor(kind: str = "local", workers: int = 1, scheduler: str | None = None,
                  prestart: int | None = None) -> Executor:
    """The executor for ``--executor``/``--workers``/``--scheduler``."""
    from .base import PRESTART

    factory = get_executor(kind)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ExecutorError(
            f"--workers is how many notebooks run at once: a whole number of at least 1, got {workers!r}"
        )
    return factory(workers=workers, scheduler=scheduler, prestart=PRESTART if prestart is None else prestart)


__all__ = ["ENTRY_POINT_GROUP", "ExecutorRegistry", "executor_names", "executors", "get_executor",
           "make_executor", "register_executor"]
