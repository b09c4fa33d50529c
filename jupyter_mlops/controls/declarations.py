"""Which control a declared param gets (``mlops.controls(...)``)::

    (1, 50)  (1, 50, 5)  (0.0, 1.0)  (1e-4, 1e-1, "log")  [+ a default as 4th item]
    ["adam", "sgd"]  10  0.5  True  "text"

A declared range is the user's: a value beyond it is refused.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidInput
from .kinds import (
    DROPDOWN,
    FLOAT_LOG_SLIDER,
    FLOAT_SLIDER,
    INT_SLIDER,
    LOG_STEP,
    ControlSpec,
    _show,
    nice_step,
    round_significant,
    round_to_step,
    spec_for_literal,
)

DECLARATION_HELP = (
    "declare a control as (min, max), (min, max, step), (min, max, 'log'), with an "
    "optional default as 4th item, a list of choices, or a value: a number, a text "
    "or True/False"
)


def spec_for_declaration(name: str, declaration: Any) -> ControlSpec:
    """The control declared as ``name=declaration`` in ``mlops.controls(...)``."""
    if isinstance(declaration, list):
        return _choices_declaration(name, declaration)
    if isinstance(declaration, tuple):
        return _range_declaration(name, declaration)
    if isinstance(declaration, (bool, int, float, str)):
        if isinstance(declaration, float) and not math.isfinite(declaration):
            raise InvalidInput(
                f"{name}={declaration!r}: a control needs a finite number; {DECLARATION_HELP}"
            )
        return spec_for_literal(name, declaration)
    raise InvalidInput(
        f"{name}={declaration!r}: a {type(declaration).__name__} is not a control; "
        f"{DECLARATION_HELP}"
    )


def _choices_declaration(name: str, items: list[Any]) -> ControlSpec:
    if not items:
        raise InvalidInput(f"{name}=[]: a list of choices needs at least one value")
    for item in items:
        if not isinstance(item, (bool, int, float, str)) or (
            isinstance(item, float) and not math.isfinite(item)
        ):
            raise InvalidInput(f"{name}: choice {item!r} is not a number, a text or True/False")
    options = tuple(dict.fromkeys(items))
    return ControlSpec(name, DROPDOWN, options[0], choices=options, fixed_range=True)


def _number(name: str, item: Any, what: str) -> float:
    if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
        raise InvalidInput(
            f"{name}: the {what} {item!r} is not a finite number; {DECLARATION_HELP}"
        )
    return item


def _range_declaration(name: str, declaration: tuple[Any, ...]) -> ControlSpec:
    if not 2 <= len(declaration) <= 4:
        raise InvalidInput(f"{name}={declaration!r}: {DECLARATION_HELP}")
    low = _number(name, declaration[0], "min")
    high = _number(name, declaration[1], "max")
    if not low < high:
        raise InvalidInput(f"{name}={declaration!r}: min {low!r} must be below max {high!r}")
    third = declaration[2] if len(declaration) > 2 else None
    default = declaration[3] if len(declaration) > 3 else None
    if isinstance(third, str):
        if third.lower() != "log":
            raise InvalidInput(
                f"{name}={declaration!r}: the scale {third!r} is unknown; "
                "write 'log' for a log scale, or give a step"
            )
        if low <= 0:
            raise InvalidInput(
                f"{name}={declaration!r}: a log scale needs min above 0, got {low!r}"
            )
        value = (
            round_significant(math.sqrt(low * high))
            if default is None
            else _number(name, default, "default")
        )
        spec = ControlSpec(
            name,
            FLOAT_LOG_SLIDER,
            float(value),
            low=float(low),
            high=float(high),
            step=LOG_STEP,
            fixed_range=True,
        )
    else:
        step = None if third is None else _number(name, third, "step")
        if step is not None and step <= 0:
            raise InvalidInput(f"{name}={declaration!r}: the step must be above 0, got {step!r}")
        integral = all(isinstance(x, int) for x in (low, high, step if step is not None else 1))
        if integral and (default is None or isinstance(default, int)):
            value = (low + high) // 2 if default is None else _number(name, default, "default")
            spec = ControlSpec(
                name,
                INT_SLIDER,
                int(value),
                low=int(low),
                high=int(high),
                step=int(step or 1),
                fixed_range=True,
            )
        else:
            step = float(step) if step is not None else nice_step(high - low)
            value = (
                round_to_step((low + high) / 2, step)
                if default is None
                else _number(name, default, "default")
            )
            spec = ControlSpec(
                name,
                FLOAT_SLIDER,
                float(value),
                low=float(low),
                high=float(high),
                step=step,
                fixed_range=True,
            )
    if not spec.low <= spec.value <= spec.high:  # type: ignore[operator]
        raise InvalidInput(
            f"{name}={declaration!r}: the default {spec.value!r} is outside "
            f"{_show(spec.low)}…{_show(spec.high)}"
        )
    return spec


__all__ = ["DECLARATION_HELP", "spec_for_declaration"]
