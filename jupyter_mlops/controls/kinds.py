"""Which control a param gets, decided without any widget.

From a literal in a cell (``%%track --controls``)::

    epochs = 10                 -> IntSlider 0…100 (with a text box)
    seed = 42                   -> IntText (a seed or an id has no sensible range)
    lr = 0.01                   -> FloatLogSlider 1e-4…1 (the name or a small value says "rate")
    dropout = 0.5               -> FloatSlider 0…1
    shuffle = True              -> Checkbox
    model = "resnet"            -> Text
    opt = "adam"  # choices: adam, sgd   -> Dropdown

Declarations (``mlops.controls(...)``) are read in :mod:`.declarations`.

A range inferred from a literal is a guess: a value typed beyond it widens it. A declared
range is the user's: a value beyond it is refused.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InvalidInput

INT_SLIDER = "int_slider"
INT_TEXT = "int_text"
FLOAT_SLIDER = "float_slider"
FLOAT_LOG_SLIDER = "float_log_slider"
CHECKBOX = "checkbox"
TEXT = "text"
DROPDOWN = "dropdown"

#: Name parts that say a float is a rate or a strength, best explored on a log scale.
LOG_NAME_PARTS = frozenset(
    {
        "lr",
        "learning",
        "rate",
        "decay",
        "wd",
        "eps",
        "epsilon",
        "tol",
        "tolerance",
        "l1",
        "l2",
        "reg",
        "regularization",
        "lambda",
        "lam",
        "alpha",
    }
)
#: Name parts that say a float is a fraction or a probability, explored on a linear scale.
LINEAR_NAME_PARTS = frozenset(
    {
        "dropout",
        "momentum",
        "ratio",
        "frac",
        "fraction",
        "prob",
        "probability",
        "p",
        "split",
        "beta",
        "beta1",
        "beta2",
        "share",
        "threshold",
    }
)
#: Name parts of ints that have no sensible range (seeds, identifiers, ports).
FREE_INT_NAME_PARTS = frozenset({"seed", "state", "id", "port", "pid"})
#: Ints this large get a text box, not a slider.
FREE_INT_ABOVE = 1_000_000
#: A positive float below this is a rate whatever its name.
SMALL_FLOAT = 0.01
#: A log slider inferred from a value spans this many powers of ten each side of it.
LOG_SPAN = 2
LOG_STEP = 0.05
#: Digits kept of a value read from a log slider (what its readout shows).
LOG_DIGITS = 3
SLIDER_STEPS = 100

_CHOICES = re.compile(r"#\s*choices\s*:\s*(?P<items>.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ControlSpec:
    """One control: its kind, starting value and range (``low``/``high`` are values, also
    for log sliders), or its choices."""

    name: str
    kind: str
    value: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] = ()
    fixed_range: bool = False  # declared by the user: values beyond it are refused

    @property
    def is_slider(self) -> bool:
        return self.kind in (INT_SLIDER, FLOAT_SLIDER, FLOAT_LOG_SLIDER)

    @property
    def value_type(self) -> type:
        return {
            INT_SLIDER: int,
            INT_TEXT: int,
            FLOAT_SLIDER: float,
            FLOAT_LOG_SLIDER: float,
            CHECKBOX: bool,
            TEXT: str,
        }.get(self.kind, object)

    def describe_range(self) -> str:
        if self.kind == DROPDOWN:
            return "one of " + ", ".join(_show(c) for c in self.choices)
        if self.low is None or self.high is None:
            return "any value"
        scale = " (log scale)" if self.kind == FLOAT_LOG_SLIDER else ""
        return f"{_show(self.low)}…{_show(self.high)}{scale}"

    def check(self, value: Any) -> Any:
        """``value`` as this control holds it; InvalidInput says why it cannot hold it."""
        return check_value(self, value)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)


def name_parts(name: str) -> set[str]:
    """``learning_rate`` -> {"learning", "rate"}; ``lrDecay`` -> {"lr", "decay"}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return {part for part in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if part}


def nice_step(span: float, steps: int = SLIDER_STEPS) -> float:
    """A round step (1, 2 or 5 times a power of ten) near ``span / steps``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / steps
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power * 1.0000001:
            return float(factor * power)
    return float(10 * power)


def round_significant(value: float, digits: int = LOG_DIGITS) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def round_to_step(value: float, step: float | None) -> float:
    """``value`` without the float noise a slider adds (0.30000000000000004 -> 0.3)."""
    if not step or not math.isfinite(value):
        return value
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return round(value, decimals)


# --- from a literal in a cell ---------------------------------------------------------------


def spec_for_literal(name: str, value: Any, choices: Sequence[Any] | None = None) -> ControlSpec:
    """The control of ``name = value`` (with the choices of a ``# choices:`` comment).

    Raises InvalidInput when the value has no control (None, a list, a dict)."""
    if choices is not None:
        options = tuple(dict.fromkeys(choices))
        if value not in options:
            options = (value, *options)
        return ControlSpec(name, DROPDOWN, value, choices=options)
    if isinstance(value, bool):
        return ControlSpec(name, CHECKBOX, value)
    if isinstance(value, int):
        return _int_spec(name, value)
    if isinstance(value, float):
        return _float_spec(name, value)
    if isinstance(value, str):
        return ControlSpec(name, TEXT, value)
    what = "None" if value is None else f"a {type(value).__name__} literal"
    raise InvalidInput(f"{what} has no control; a number, a text or True/False has one")


def _int_spec(name: str, value: int) -> ControlSpec:
    if name_parts(name) & FREE_INT_NAME_PARTS or abs(value) > FREE_INT_ABOVE:
        return ControlSpec(name, INT_TEXT, value)
    if value >= 0:
        low, high = 0, max(10, 10 * value)
    else:
        low, high = 10 * value, max(10, -10 * value)
    step = max(1, int(nice_step(high - low)))
    return ControlSpec(name, INT_SLIDER, value, low=low, high=high, step=step)


def looks_like_rate(name: str, value: float) -> bool:
    parts = name_parts(name)
    if value <= 0 or parts & LINEAR_NAME_PARTS:
        return False
    return bool(parts & LOG_NAME_PARTS) or value < SMALL_FLOAT


def _float_spec(name: str, value: float) -> ControlSpec:
    if looks_like_rate(name, value):
        centre = round(math.log10(value))
        return ControlSpec(
            name,
            FLOAT_LOG_SLIDER,
            value,
            low=10.0 ** (centre - LOG_SPAN),
            high=10.0 ** (centre + LOG_SPAN),
            step=LOG_STEP,
        )
    if 0 <= value <= 1:
        low, high = 0.0, 1.0
    elif value > 1:
        low, high = 0.0, 10.0 * value
    else:
        low, high = 10.0 * value, -10.0 * value
    return ControlSpec(name, FLOAT_SLIDER, value, low=low, high=high, step=nice_step(high - low))


def parse_choices(comment: str, value: Any) -> list[Any] | None:
    """The choices of a ``# choices: a, b`` (or ``# choices: ["a", "b"]``) comment, of the
    type of ``value``; None when the comment is not a choices comment.

    Raises InvalidInput when an item cannot be read as that type."""
    match = _CHOICES.search(comment)
    if match is None:
        return None
    text = match.group("items")
    if text.startswith(("[", "(")):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise InvalidInput(
                f"'# choices: {text}' is not a list; write it as "
                "'# choices: a, b' or '# choices: [\"a\", \"b\"]'"
            ) from None
        if not isinstance(items, (list, tuple)):
            raise InvalidInput(f"'# choices: {text}' is not a list of values")
        raw = list(items)
    else:
        raw = [item.strip() for item in text.split(",") if item.strip()]
    if not raw:
        raise InvalidInput("'# choices:' lists no values; write them after it: '# choices: a, b'")
    return [_choice(item, value) for item in raw]


def _choice(item: Any, value: Any) -> Any:
    if isinstance(value, str):
        if isinstance(item, str) and len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            return item[1:-1]
        return item if isinstance(item, str) else str(item)
    parsed = item
    if isinstance(item, str):
        try:
            parsed = ast.literal_eval(item)
        except (ValueError, SyntaxError):
            parsed = item
    if isinstance(value, bool):
        if isinstance(parsed, bool):
            return parsed
    elif isinstance(value, int):
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            return parsed
    elif isinstance(value, float):
        if (
            isinstance(parsed, (int, float))
            and not isinstance(parsed, bool)
            and math.isfinite(parsed)
        ):
            return float(parsed)
    else:
        raise InvalidInput(f"choices go with a number, a text or True/False, not {_show(value)}")
    kind = (
        "True/False"
        if isinstance(value, bool)
        else "a whole number"
        if isinstance(value, int)
        else "a number"
    )
    raise InvalidInput(f"choice {item!r} is not {kind} like the value {_show(value)}")


# --- values --------------------------------------------------------------------------------------


def check_value(spec: ControlSpec, value: Any) -> Any:
    """``value`` converted to what ``spec``'s control holds; InvalidInput when it cannot be.

    A fixed range refuses values beyond it; an inferred range accepts them (the control widens)."""
    if spec.kind == DROPDOWN:
        matches = [
            c for c in spec.choices if c == value and isinstance(c, bool) == isinstance(value, bool)
        ]
        if not matches:
            raise InvalidInput(f"{spec.name}: {_show(value)} is not {spec.describe_range()}")
        return matches[0]
    if spec.kind == CHECKBOX:
        if not isinstance(value, bool):
            raise InvalidInput(f"{spec.name}: {_show(value)} is not True or False")
        return value
    if spec.kind == TEXT:
        if not isinstance(value, str):
            raise InvalidInput(f"{spec.name}: {_show(value)} is not a text")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{spec.name}: {_show(value)} is not a number")
    if not math.isfinite(value):
        raise InvalidInput(f"{spec.name}: {value} is not a finite number")
    if spec.kind in (INT_SLIDER, INT_TEXT):
        if isinstance(value, float) and not value.is_integer():
            raise InvalidInput(f"{spec.name}: {_show(value)} is not a whole number")
        value = int(value)
    else:
        value = float(value)
    if spec.kind == FLOAT_LOG_SLIDER and value <= 0:
        raise InvalidInput(
            f"{spec.name}: {_show(value)} cannot be on a log scale; give a value above 0"
        )
    if (
        spec.fixed_range
        and spec.low is not None
        and spec.high is not None
        and not spec.low <= value <= spec.high
    ):
        raise InvalidInput(
            f"{spec.name}: {_show(value)} is outside {spec.describe_range()}, the range given "
            "to mlops.controls; declare a wider range to try it"
        )
    return value


def widened(spec: ControlSpec, value: float) -> ControlSpec:
    """``spec`` with a range reaching ``value`` (a value typed beyond an inferred range)."""
    if spec.low is None or spec.high is None or spec.low <= value <= spec.high:
        return spec
    low, high = min(spec.low, value), max(spec.high, value)
    if spec.kind == FLOAT_LOG_SLIDER:
        low = min(spec.low, 10.0 ** math.floor(math.log10(value)))
        high = max(spec.high, 10.0 ** math.ceil(math.log10(value)))
        return replace(spec, low=low, high=high)
    if spec.kind == INT_SLIDER:
        return replace(spec, low=int(low), high=int(high))
    step = (
        spec.step
        if spec.step and (high - low) / spec.step <= 10 * SLIDER_STEPS
        else nice_step(high - low)
    )
    return replace(spec, low=float(low), high=float(high), step=step)


__all__ = [
    "CHECKBOX",
    "DROPDOWN",
    "FLOAT_LOG_SLIDER",
    "FLOAT_SLIDER",
    "INT_SLIDER",
    "INT_TEXT",
    "TEXT",
    "ControlSpec",
    "check_value",
    "looks_like_rate",
    "parse_choices",
    "round_significant",
    "round_to_step",
    "spec_for_literal",
    "widened",
]
