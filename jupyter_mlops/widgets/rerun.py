"""The "re-run with these params" form: edit a run's params, start the runner in the
background (:func:`jupyter_mlops.runner.rerun`), and follow the new run's progress."""

from __future__ import annotations

import ast
import json
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import InvalidInput, MlopsError
from ..render import html as h
from ..render.palette import WARNING
from ..render.text import format_duration, format_value
from .tree import close_tree

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store


def param_text(value: Any) -> str:
    """How a param value is written in its text box: text as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def parse_param(key: str, text: str, original: Any) -> Any:
    """The value typed for ``key``, of the original value's kind (text stays text; numbers,
    booleans, lists and dicts are read as JSON, or as Python literals such as ``True``)."""
    if isinstance(original, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        if original is None:  # no type to keep: the runner reads the text by its look
            return text
        raise InvalidInput(
            f"param {key!r}: {text!r} is not a value; write it as the original is written "
            f'({param_text(original)}), e.g. a number, true/false, a list or "quoted text"'
        ) from None


def changed_params(run_params: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """The params whose text was edited away from how ``run_params`` shows it, typed (raises
    InvalidInput naming every bad one). Untouched fields are left to the re-run's own start."""
    changed: dict[str, Any] = {}
    errors = []
    for key, text in texts.items():
        original = run_params.get(key)
        if key in run_params and text == param_text(original):
            continue
        try:
            value = parse_param(key, text, original)
        except InvalidInput as exc:
            errors.append(str(exc))
            continue
        if json.dumps(value, sort_keys=True) != json.dumps(original, sort_keys=True):
            changed[key] = value
    if errors:
        raise InvalidInput("; ".join(errors))
    return changed


def progress_html(run: Run) -> str:
    duration = run.duration if run.duration is not None else time.time() - run.started_at
    metrics = [
        f"{h.text(k)} {h.text(format_value(v))}"
        for k, v in sorted(run.metrics.items())
        if not k.startswith("system/")
    ][:6]
    parts = [
        f"run <code>{h.text(run.id)}</code> {h.status_badge(run.status)}",
        h.text(format_duration(duration)),
        *metrics,
    ]
    text = " · ".join(parts)
    if run.error:
        text += h.error(f"{run.error.get('ename', 'error')}: {run.error.get('evalue', '')}")
    return f'<div class="mlops-rerun-progress">{text}</div>'


class RerunForm(w.VBox):
    """One text box per param of the shown run, a button that re-runs its notebook with them,
    and the new run's progress (``refresh()`` updates it; the browser calls it while it runs)."""

    def __init__(
        self,
        store: Store,
        on_started: Callable[[str], None] | None = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.store = store
        self._lock = lock or threading.RLock()  # user events and live refreshes take turns
        self.run: Run | None = None
        self.values: dict[str, Any] | None = None  # what the re-run uses unless changed
        self.kinds: dict[str, str | None] = {}
        self._prepared_for: str | None = None
        self.started: Run | None = None
        self._on_started = on_started
        self.intro = w.HTML("")
        self.fields = w.VBox([])
        self.start_button = w.Button(
            description="re-run with these params",
            button_style="primary",
            icon="play",
            layout=w.Layout(width="auto"),
        )
        self.start_button.on_click(lambda _: self.start())
        self.message = w.HTML("")
        self.progress = w.HTML("")
        self.open_button = w.Button(
            description="show the new run", layout=w.Layout(width="auto", display="none")
        )
        self._open_callback: Callable[[str], None] | None = None
        self.open_button.on_click(self._open_new)
        super().__init__(
            [
                self.intro,
                self.fields,
                self.start_button,
                self.message,
                self.progress,
                self.open_button,
            ]
        )
        self.add_class("mlops-rerun")

    @property
    def running(self) -> bool:
        return self.started is not None and self.started.status == "running"

    def on_open(self, callback: Callable[[str], None]) -> None:
        """``callback(run_id)`` is called by the "show the new run" button."""
        self._open_callback = callback

    def show(self, run: Run) -> None:
        """Show the form for ``run``; its fields are filled by :meth:`prepare` (the detail view
        calls it when the re-run tab is opened: it reads the run's notebook snapshot)."""
        self.run = run
        self.values = None
        self._prepared_for = None
        self.message.value = ""
        self.intro.value = ""
        self._set_fields({})
        self.start_button.disabled = True

    def prepare(self) -> None:
        run = self.run
        if run is None or self._prepared_for == run.id:
            return
        self._prepared_for = run.id
        from ..runner.reruns import rerun_start

        try:
            start = rerun_start(self.store, run)
        except MlopsError as exc:
            self.intro.value = h.error(str(exc))
            return
        if start.problem is not None:
            self.intro.value = h.empty(str(start.problem))
            return
        self.values = start.values
        self.kinds = {param.name: param.kind for param in start.params}
        self._set_fields(self.values)
        what = "with these params" if self.values else "(its notebook has no params)"
        where = f" (<code>{h.text(run.notebook_path)}</code>)" if run.notebook_path else ""
        self.intro.value = (
            f"<div>Execute the notebook this run ran{where} again {what}, in the "
            f"background, as a new run of experiment {h.text(run.experiment)}. "
            "The params you change are passed on; the others keep these values.</div>"
        )
        self.start_button.disabled = False

    def _set_fields(self, values: Mapping[str, Any]) -> None:
        old = self.fields.children
        self.fields.children = [
            w.Text(
                value=param_text(value),
                description=key,
                tooltip=f"{key}: {self.kinds.get(key) or 'any value'}",
                style={"description_width": "initial"},
                layout=w.Layout(width="420px"),
            )
            for key, value in values.items()  # in the notebook's order
        ]
        for box in old:
            close_tree(box)

    def texts(self) -> dict[str, str]:
        return {box.description: box.value for box in self.fields.children}

    def set_text(self, key: str, value: str) -> None:
        for box in self.fields.children:
            if box.description == key:
                box.value = value
                return
        raise KeyError(f"run has no param {key!r}; its params are {sorted(self.texts())}")

    def start(self) -> str | None:
        """Start the re-run; returns the new run's id (None when it could not start: the reason
        is shown under the button)."""
        with self._lock:
            return self._start()

    def _start(self) -> str | None:
        self.prepare()
        run, values = self.run, self.values
        if run is None or values is None:
            return None
        try:
            params = changed_params(values, self.texts())
            from ..runner import rerun

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                new_id = rerun(run.id, params, store=self.store, background=True)
            self.started = self.store.get_run(new_id)
        except MlopsError as exc:
            self.message.value = h.error(str(exc))
            return None
        changed = (
            ", ".join(f"{k} = {format_value(v)}" for k, v in sorted(params.items()))
            or "the same params"
        )
        notes = "".join(
            f'<div class="mlops-warning" style="color:{WARNING}">{h.text(warning.message)}</div>'
            for warning in caught
        )
        self.message.value = (
            f'<div class="mlops-rerun-started">started run <code>{h.text(new_id)}</code> '
            f"with {h.text(changed)}</div>{notes}"
        )
        self.progress.value = progress_html(self.started)
        self.open_button.layout.display = None
        if self._on_started is not None:
            self._on_started(new_id)
        return new_id

    def refresh(self) -> bool:
        """Update the progress of the started run; True while it runs."""
        if self.started is None:
            return False
        self.started = self.store.get_run(self.started.id)
        self.progress.value = progress_html(self.started)
        return self.started.status == "running"

    def _open_new(self, _: w.Button | None = None) -> None:
        if self.started is not None and self._open_callback is not None:
            self._open_callback(self.started.id)
