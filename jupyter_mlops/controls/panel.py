"""The control panel: controls, a Run button, the output of the latest run, the live table of
the runs made from the panel and the chart of a metric against the changed parameter.

Each press freezes the controls' values and hands them to the panel's executor (the cell of
``%%track --controls``, or the function given to ``panel.run``), which makes one tracked
run. Presses never overlap: while a run is going the Run button is disabled, and a press
that still arrives (from code, another thread, or the run itself) is refused with a message,
so no two runs ever share or mix their params. A failing run is shown failed with its error;
the controls stay usable. The runs carry the tag ``mlops.controls`` = the panel's key, which
is how the panel finds them (and how a filter finds them in the sidebar).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import InvalidInput, MlopsError
from ..render import html as h
from ..render.palette import MUTED, WARNING
from ..render.text import format_value
from ..widgets.live import LiveRefresher
from ..widgets.tree import close_tree
from . import kinds as k
from .calls import FunctionExecutor, check_callable
from .chart import PanelChart
from .inputs import Control, make_control
from .panel_model import metric_keys
from .table import PanelRunsTable

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store

#: Tag every run made from a panel carries; its value is the panel's key.
PANEL_TAG = "mlops.controls"
LIVE_INTERVAL = 1.0
MAX_RUNS_SHOWN = 100

#: Makes one tracked run with the given values; returns its id (None when it went untracked).
Executor = Callable[[dict[str, Any]], "str | None"]


def new_panel_key() -> str:
    return secrets.token_hex(5)


def runs_of_panel(store: Store, key: str, limit: int = MAX_RUNS_SHOWN) -> list[Run]:
    """The runs made from the panel ``key``, newest first."""
    return store.search_runs(f"tags.{PANEL_TAG} = '{key}'", limit=limit)


class ControlPanel:
    """Controls for ``specs``, a Run button and what the runs made from them gave.

    Shown in a notebook it is an ipywidgets box (``panel.widget``); ``panel.press()`` does
    what the Run button does and returns the new run's id."""

    def __init__(
        self,
        specs: Sequence[k.ControlSpec],
        *,
        title: str,
        notes: Mapping[str, str] | None = None,
        warnings: Sequence[str] = (),
        executor: Executor | None = None,
        first_metrics: Sequence[str] = (),
        key: str | None = None,
        refresh_interval: float = LIVE_INTERVAL,
    ) -> None:
        self.key = key or new_panel_key()
        self.executor = executor
        self.first_metrics = tuple(first_metrics)
        self.last_run_id: str | None = None
        self.runs: list[Run] = []
        self._gate = threading.Lock()  # one press at a time
        self._draw_lock = threading.RLock()  # presses and live refreshes take turns drawing
        self._closed = False
        self.controls: dict[str, Control] = {}
        self.title = w.HTML(title)
        self.message = w.HTML("")
        self.message.add_class("mlops-controls-message")
        for spec in specs:
            self.controls[spec.name] = make_control(spec, self._report)
        self.notes = w.HTML(self._notes_html(notes or {}, warnings))
        self.notes.add_class("mlops-controls-notes")
        self.run_button = w.Button(
            description="Run",
            icon="play",
            button_style="primary",
            tooltip="run with these values, as a new tracked run",
            layout=w.Layout(width="auto"),
        )
        self.run_button.add_class("mlops-controls-run")
        self.run_button.on_click(lambda _: self.press())
        self.output = w.Output(layout=w.Layout(max_height="320px", overflow="auto"))
        self.output.add_class("mlops-controls-output")
        self.table = PanelRunsTable(self.restore)
        log_params = [s.name for s in specs if s.kind == k.FLOAT_LOG_SLIDER]
        self.chart = PanelChart(log_params)
        self.widget = w.VBox(
            [
                self.title,
                w.VBox([control.row for control in self.controls.values()]),
                self.notes,
                w.HBox([self.run_button, self.message], layout=w.Layout(align_items="center")),
                self.output,
                self.table,
                self.chart,
            ]
        )
        self.widget.add_class("mlops-controls")
        self.live = LiveRefresher(
            self._live_refresh, interval=refresh_interval, on_error=self._live_failed
        )
        if executor is None:
            self._set_button(False, "Run")

    # --- display ---------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.values().items())
        return f"<ControlPanel {values} ({len(self.runs)} runs)>"

    @staticmethod
    def _notes_html(notes: Mapping[str, str], warnings: Sequence[str]) -> str:
        parts = []
        if notes:
            items = "; ".join(
                f"<code>{h.text(name)}</code> ({h.text(why)})" for name, why in notes.items()
            )
            parts.append(
                f'<div class="mlops-not-controllable" style="color:{MUTED};font-size:12px">'
                f"not controllable: {items}</div>"
            )
        for warning in warnings:
            parts.append(
                f'<div class="mlops-warning" style="color:{WARNING};font-size:12px">{h.text(warning)}</div>'
            )
        return "".join(parts)

    def _report(self, message: str, is_error: bool) -> None:
        self.message.value = (
            h.error(message)
            if is_error
            else (
                f'<span class="mlops-controls-note" style="color:{WARNING};font-size:12px">{h.text(message)}</span>'
            )
        )

    # --- values ----------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The controls' values now."""
        return {name: control.value for name, control in self.controls.items()}

    def set_values(self, values: Mapping[str, Any]) -> list[str]:
        """Put ``values`` into the controls named like them; returns the problems (values that
        a control cannot hold are left out, and said)."""
        problems = []
        for name, value in values.items():
            control = self.controls.get(name)
            if control is None:
                continue
            try:
                control.set_value(value)
            except InvalidInput as exc:
                problems.append(str(exc))
        return problems

    # --- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._gate.locked()

    def press(self) -> str | None:
        """What the Run button does: one tracked run with the current values. Returns its id;
        None when it was refused (a run is still going), not bound, or went untracked."""
        __tracebackhide__ = True
        if self.executor is None:
            self._report("nothing to run yet: bind a function with panel.run(train)", True)
            return None
        if not self._gate.acquire(blocking=False):
            self._report(
                "a run from these controls is still going; this press was not run: "
                "press Run again when it has ended",
                True,
            )
            return None
        try:
            return self._press(dict(self.values()))
        finally:
            self._gate.release()
            self._set_button(True, "Run")

    def _press(self, values: dict[str, Any]) -> str | None:
        __tracebackhide__ = True
        assert self.executor is not None
        self._set_button(False, "running…")
        shown = ", ".join(f"{name}={format_value(value)}" for name, value in values.items())
        self.message.value = (
            f'<span class="mlops-controls-running">running with {h.text(shown)}…</span>'
        )
        self.output.clear_output()
        known = {run.id for run in self.runs}
        self.live.watch()
        outcome = ""
        run_id = None
        with self.output:
            try:
                run_id = self.executor(values)
            except KeyboardInterrupt:
                outcome = "interrupted"
            except Exception:  # noqa: BLE001 - recorded in the run and shown above; the panel goes on
                outcome = "failed"
                self._show_error()
        try:
            self.refresh()
        except MlopsError as exc:
            self.message.value = h.error(f"could not read the runs of these controls: {exc}")
            return run_id
        if run_id is None:  # the run that failed or was interrupted: the panel's newest new run
            run_id = next((run.id for run in self.runs if run.id not in known), None)
        self.last_run_id = run_id or self.last_run_id
        self._tell(run_id, outcome)
        return run_id

    def _show_error(self) -> None:
        __tracebackhide__ = True
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.showtraceback()
        else:
            import traceback

            traceback.print_exc()

    def _tell(self, run_id: str | None, outcome: str) -> None:
        run = next((r for r in self.runs if r.id == run_id), None)
        if run is None:
            what = outcome or "finished"
            self.message.value = (
                h.error(f"the code {what}, but no run was recorded (see the output above)")
                if outcome
                else h.empty("the code ran untracked (see the warning above)")
            )
            return
        text = f"run <code>{h.text(run.id)}</code> {h.status_badge(run.status)}"
        if run.error:
            text += " " + h.text(
                f"{run.error.get('ename', 'error')}: {run.error.get('evalue', '')}"
            )
        self.message.value = f'<span class="mlops-controls-outcome">{text}</span>'

    def _set_button(self, enabled: bool, description: str) -> None:
        self.run_button.disabled = not enabled or self.executor is None
        self.run_button.description = description

    # --- the runs ------------------------------------------------------------------------------

    def _store(self) -> Store:
        from ..tracking import get_store

        return get_store()

    def refresh(self) -> bool:
        """Read the panel's runs again and redraw the table and the chart; True while one runs."""
        if self._closed or (not self.runs and not self.running):
            return False  # nothing pressed yet: the store is not even opened
        runs = runs_of_panel(self._store(), self.key)
        with self._draw_lock:
            self.runs = runs
            names = list(self.controls)
            self.table.show(runs, names, metric_keys(runs, self.first_metrics))
            self.chart.show(runs, names, self.first_metrics)
        return any(run.status == "running" for run in runs)

    def _live_refresh(self) -> bool:
        return self.refresh() or self.running

    def _live_failed(self, exc: Exception) -> None:
        self.message.value = h.error(f"could not refresh the runs: {exc}")

    def restore(self, run_id: str) -> None:
        """Put the values run ``run_id`` had back into the controls (what clicking its row does)."""
        try:
            run = self._store().get_run(run_id)
        except MlopsError as exc:
            self._report(str(exc), True)
            return
        wanted = {name: run.params[name] for name in self.controls if name in run.params}
        problems = self.set_values(wanted)
        shown = ", ".join(f"{name}={format_value(value)}" for name, value in wanted.items())
        text = (
            f"restored the values of run <code>{h.text(run_id)}</code>: {h.text(shown or 'none')}"
        )
        if problems:
            text += h.error("not restored: " + "; ".join(problems))
        self.message.value = f'<span class="mlops-controls-restored">{text}</span>'

    def close(self) -> None:
        """Stop the live refresh and close the widgets."""
        self._closed = True
        self.live.stop(wait=False)
        close_tree(self.widget)


class FunctionPanel(ControlPanel):
    """The panel of ``mlops.controls``; bind the function with :meth:`run`."""

    def run(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        experiment: str = "default",
        tags: Mapping[str, Any] | None = None,
    ) -> FunctionPanel:
        """Call ``fn(**values)`` in a new tracked run each time Run is pressed; returns the panel."""
        check_callable(fn, self.values())
        self.executor = FunctionExecutor(
            fn,
            name=name,
            experiment=experiment,
            tags={**{str(k): str(v) for k, v in (tags or {}).items()}, PANEL_TAG: self.key},
        )
        self.run_button.disabled = False
        self.message.value = ""
        return self


__all__ = [
    "PANEL_TAG",
    "ControlPanel",
    "Executor",
    "FunctionPanel",
    "new_panel_key",
    "runs_of_panel",
]
