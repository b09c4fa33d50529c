"""``mlops.controls(...)``: a control panel bound to a function, every call a tracked run.

    panel = mlops.controls(lr=(1e-4, 1e-1, "log"), epochs=(1, 50), opt=["adam", "sgd"])
    panel.run(train)      # each Run press calls train(lr=..., epochs=..., opt=...) in a new run

Like ``ipywidgets.interact_manual``, nothing runs until Run is pressed; unlike it, each call
is a run whose params are the values. Headless (papermill, ``jupyter mlops run``) there is
no panel: ``panel.run(train)`` calls ``train`` once, at once, with the declared defaults (or
the values the runner injected for those names), and its exception fails the notebook.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput, MlopsError
from ..notebook.params import check_parameter_names
from ..render.palette import MUTED
from ..render.text import format_value
from .calls import FunctionExecutor, check_callable
from .declarations import spec_for_declaration
from .headless import headless_reason, injected_values
from .kinds import ControlSpec

if TYPE_CHECKING:
    from .panel import FunctionPanel


class HeadlessControls:
    """``mlops.controls`` where no panel can be shown: ``run(fn)`` calls ``fn`` once, at once."""

    def __init__(self, specs: list[ControlSpec], reason: str) -> None:
        self.specs = specs
        self.reason = reason
        self._values = {spec.name: spec.value for spec in specs}
        try:
            self._values.update(injected_values(specs))
        except MlopsError as exc:
            print(
                f"jupyter-mlops: the injected values cannot be read ({exc}); the defaults are used",
                file=sys.stderr,
            )
        self.last_run_id: str | None = None
        self.summary = f"controls not shown: {reason}"

    def values(self) -> dict[str, Any]:
        return dict(self._values)

    def run(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        experiment: str = "default",
        tags: Mapping[str, Any] | None = None,
    ) -> HeadlessControls:
        __tracebackhide__ = True
        values = self.values()
        check_callable(fn, values)
        executor = FunctionExecutor(
            fn,
            name=name,
            experiment=experiment,
            tags={str(k): str(v) for k, v in (tags or {}).items()},
            quiet=True,
        )
        shown = ", ".join(f"{k}={format_value(v)}" for k, v in values.items())
        called = f"{getattr(fn, '__name__', 'the function')}({shown})"
        self.summary = f"controls not shown: {self.reason}; called {called}"
        self.last_run_id = executor(values)
        if self.last_run_id:
            self.summary += f" in run {self.last_run_id}"
        return self

    def __repr__(self) -> str:
        return self.summary

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, str]:
        return {"text/plain": self.summary}


def controls(**declarations: Any) -> FunctionPanel | HeadlessControls:
    """A control panel for the declared params; bind it to a function with ``.run(fn)``.

    Each declaration is ``(min, max)``, ``(min, max, step)``, ``(min, max, "log")`` (a default
    may follow as 4th item; else the middle), a list of choices (the first is the default),
    or a value (a number, a text or True/False) whose control is chosen as for a literal in a
    ``%%track --controls`` cell. Example::

        mlops.controls(lr=(1e-4, 1e-1, "log"), epochs=(1, 50), opt=["adam", "sgd"]).run(train)
    """
    if not declarations:
        raise InvalidInput(
            "name at least one control, e.g. mlops.controls(lr=(1e-4, 1e-1, 'log'), "
            "epochs=(1, 50), opt=['adam', 'sgd'])"
        )
    check_parameter_names(declarations, "mlops.controls")
    specs = [spec_for_declaration(name, declaration) for name, declaration in declarations.items()]
    from IPython import get_ipython

    reason = headless_reason(get_ipython())
    if reason is not None:
        return HeadlessControls(specs, reason)
    from .panel import FunctionPanel

    panel = FunctionPanel(
        specs,
        title='<div class="mlops-controls-title"><b>controls</b> · each Run calls the '
        "function bound with .run(fn) in a new tracked run</div>",
    )
    panel.message.value = (
        f'<span style="color:{MUTED};font-size:12px">bind a function: panel.run(train)</span>'
    )
    return panel


__all__ = ["HeadlessControls", "controls"]
