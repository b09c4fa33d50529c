"""The ipywidgets of one control, made from its :class:`~.kinds.ControlSpec`.

A slider comes with a text box for exact values. A value typed there beyond the slider's
range widens an inferred range, and is refused (the box goes back to the slider's value)
for a range declared in ``mlops.controls``; either way the panel is told what happened.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..errors import InvalidInput
from . import kinds as k
from .kinds import ControlSpec

Report = Callable[[str, bool], None]  # (message, is_error)
LABEL_WIDTH = "120px"


def _label_style() -> dict[str, str]:
    return {"description_width": LABEL_WIDTH}


class Control:
    """One control: its widgets (``row``), its current value and how it is set."""

    def __init__(self, spec: ControlSpec, report: Report) -> None:
        self.spec = spec
        self._report = report
        self.input = self._make_input(spec)
        self.row = w.HBox([self.input], layout=w.Layout(align_items="center"))
        self.row.add_class("mlops-control")
        self.row.add_class(f"mlops-control-{spec.name}")

    @property
    def name(self) -> str:
        return self.spec.name

    def _make_input(self, spec: ControlSpec) -> w.Widget:
        common: dict[str, Any] = {"description": spec.name, "style": _label_style()}
        if spec.kind == k.CHECKBOX:
            return w.Checkbox(value=spec.value, indent=True, **common)
        if spec.kind == k.TEXT:
            return w.Text(value=spec.value, continuous_update=False, **common)
        if spec.kind == k.DROPDOWN:
            options = [(_label(choice), choice) for choice in spec.choices]
            return w.Dropdown(options=options, value=spec.value, **common)
        raise InvalidInput(f"{spec.name}: no plain control for a {spec.kind}")

    @property
    def value(self) -> Any:
        return self.input.value

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a run's param being restored); InvalidInput when it cannot be held."""
        self.input.value = self.spec.check(value)

    def set_enabled(self, enabled: bool) -> None:
        self.input.disabled = not enabled


def _label(choice: Any) -> str:
    return choice if isinstance(choice, str) else repr(choice)


class NumberControl(Control):
    """A slider and a text box showing the same number (or a lone text box: ``IntText``)."""

    def __init__(self, spec: ControlSpec, report: Report) -> None:
        self._syncing = False
        self._value = spec.value
        super().__init__(spec, report)
        self.text: w.Widget | None = None
        if spec.is_slider:
            self.text = (w.IntText if spec.kind == k.INT_SLIDER else w.FloatText)(
                value=spec.value, continuous_update=False, layout=w.Layout(width="110px")
            )
            self.text.add_class("mlops-control-text")
            self.text.observe(self._typed, names="value")
            self.input.observe(self._slid, names="value")
            self.row.children = (self.input, self.text)

    def _make_input(self, spec: ControlSpec) -> w.Widget:
        common: dict[str, Any] = {"description": spec.name, "style": _label_style()}
        if spec.kind == k.INT_TEXT:
            box = w.IntText(value=spec.value, continuous_update=False, **common)
            box.observe(self._typed_free, names="value")
            return box
        slider: w.Widget
        if spec.kind == k.INT_SLIDER:
            slider = w.IntSlider(
                value=spec.value,
                min=spec.low,
                max=spec.high,
                step=spec.step or 1,
                readout=False,
                continuous_update=False,
                **common,
            )
        elif spec.kind == k.FLOAT_LOG_SLIDER:
            slider = w.FloatLogSlider(
                value=spec.value,
                base=10,
                min=math.log10(spec.low or 1e-12),
                max=math.log10(spec.high or 1.0),
                step=spec.step or k.LOG_STEP,
                readout=False,
                continuous_update=False,
                **common,
            )
        else:
            slider = w.FloatSlider(
                value=spec.value,
                min=spec.low,
                max=spec.high,
                step=spec.step,
                readout=False,
                continuous_update=False,
                **common,
            )
        slider.layout = w.Layout(width="360px")
        return slider

    @property
    def value(self) -> Any:
        return self._value

    def _slid(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        new = change["new"]
        if self.spec.kind == k.FLOAT_LOG_SLIDER:
            new = k.round_significant(new)
        elif self.spec.kind == k.FLOAT_SLIDER:
            new = k.round_to_step(new, self.spec.step)
        self._value = new
        self._show_in_text(new)

    def _show_in_text(self, value: Any) -> None:
        if self.text is not None:
            self._syncing = True
            try:
                self.text.value = value
            finally:
                self._syncing = False

    def _typed(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        try:
            self._apply(change["new"], typed=True)
        except InvalidInput as exc:
            self._show_in_text(self._value)
            self._report(f"{exc}; {self.name} stays {self._value!r}", True)

    def _typed_free(self, change: dict[str, Any]) -> None:
        self._value = int(change["new"])

    def _apply(self, value: Any, typed: bool) -> None:
        value = self.spec.check(value)
        if self.spec.kind == k.INT_TEXT:
            self._value = value
            self.input.value = value
            return
        old = self.spec
        if not (old.low is not None and old.high is not None and old.low <= value <= old.high):
            self.spec = k.widened(old, value)
            self._set_range(self.spec)
            how = "typed" if typed else "restored"
            self._report(
                f"{self.name}: {value!r} ({how}) is beyond the slider's range "
                f"{old.describe_range()}; the slider now reaches {self.spec.describe_range()}",
                False,
            )
        self._value = value
        self._syncing = True
        try:
            self.input.value = value
        finally:
            self._syncing = False
        self._show_in_text(value)

    def _set_range(self, spec: ControlSpec) -> None:
        slider = self.input
        low: float | None = spec.low
        high: float | None = spec.high
        if spec.kind == k.FLOAT_LOG_SLIDER:
            low, high = math.log10(spec.low or 1e-12), math.log10(spec.high or 1.0)
        self._syncing = True
        try:
            with slider.hold_trait_notifications():
                slider.max = high  # widening only: the order keeps min <= max
                slider.min = low
                if spec.step is not None and spec.kind != k.FLOAT_LOG_SLIDER:
                    slider.step = spec.step
        finally:
            self._syncing = False

    def set_value(self, value: Any) -> None:
        self._apply(value, typed=False)

    def set_enabled(self, enabled: bool) -> None:
        super().set_enabled(enabled)
        if self.text is not None:
            self.text.disabled = not enabled


def make_control(spec: ControlSpec, report: Report) -> Control:
    if spec.kind in (k.INT_SLIDER, k.INT_TEXT, k.FLOAT_SLIDER, k.FLOAT_LOG_SLIDER):
        return NumberControl(spec, report)
    return Control(spec, report)


__all__ = ["Control", "NumberControl", "make_control"]
