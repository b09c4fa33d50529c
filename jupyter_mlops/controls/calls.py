"""Calling a function with the controls' values inside one tracked run."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .. import config
from ..errors import InvalidInput


def _warn(message: str) -> None:
    print(f"jupyter-mlops: {message}", file=sys.stderr, flush=True)


def _error_info(exc: BaseException) -> dict[str, Any]:
    """ename, evalue and the traceback from the function's own frame down (the executor's
    frame that called the function left out)."""
    from ..errors import RunError

    return RunError.from_exception(exc, skip_frames=1).to_dict()


class FunctionExecutor:
    """Calls ``fn(**values)`` inside one tracked run (a ``%%track``-like run in IPython: with
    the notebook snapshot, execution record, environment and system metrics)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None,
        experiment: str,
        tags: Mapping[str, str],
        quiet: bool = False,
    ) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", None) or "controls"
        self.experiment = experiment
        self.tags = dict(tags)
        self.quiet = quiet

    def __call__(self, values: dict[str, Any]) -> str | None:
        __tracebackhide__ = True
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return self._call_with_api(values)
        from ..capture.cell_exec import show_summary
        from ..capture.cellrun import TrackedRun, TrackOptions

        if os.environ.get(config.RUN_ID_ENV):  # logs into the runner's run, which has its own name
            options = TrackOptions(tags=self.tags, quiet=self.quiet)
        else:
            options = TrackOptions(
                name=self.name, experiment=self.experiment, tags=self.tags, quiet=self.quiet
            )
        try:
            tracked = TrackedRun.begin(shell, options, _warn)
        except Exception as exc:  # noqa: BLE001 - the user's work is never blocked by tracking
            _warn(f"tracking skipped for this call: {exc}")
            self.fn(**values)
            return None
        for key in values:  # the values are this run's params, whatever the parameters cell says
            tracked.captured_params.pop(key, None)
        for key, value in values.items():
            try:
                tracked.run.log_params({key: value})
            except InvalidInput as exc:
                _warn(f"param {key!r} not recorded: {exc}")
        status, error = "finished", None
        try:
            self.fn(**values)
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except BaseException as exc:
            status, error = "failed", _error_info(exc)
            raise
        finally:
            show_summary(tracked.finish(status, error, summary=not self.quiet))
        return tracked.id

    def _call_with_api(self, values: dict[str, Any]) -> str:
        __tracebackhide__ = True
        from .. import tracking

        run = tracking.start_run(self.name, self.experiment, params=values, tags=self.tags)
        try:
            self.fn(**values)
        except KeyboardInterrupt:
            tracking.end_run("interrupted", run=run)
            raise
        except BaseException as exc:
            tracking.end_run("failed", run=run, error=_error_info(exc))
            raise
        tracking.end_run("finished", run=run)
        return run.id


def check_callable(fn: Any, values: Mapping[str, Any]) -> None:
    if not callable(fn):
        raise InvalidInput(f"panel.run takes the function to call with the values, got {fn!r}")
    try:
        inspect.signature(fn).bind(**values)
    except TypeError as exc:
        name = getattr(fn, "__name__", repr(fn))
        raise InvalidInput(
            f"{name}() cannot be called with the controls' values "
            f"({', '.join(values)}): {exc}; give it a parameter for each control"
        ) from None
    except ValueError:  # no signature to check (a builtin): the call will tell
        pass


__all__ = ["FunctionExecutor", "check_callable"]
