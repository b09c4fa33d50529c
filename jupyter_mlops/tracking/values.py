"""What a metric value, a step and a param value may be, and the errors that say why not."""

from __future__ import annotations

import json
import numbers
import sys
from typing import Any

from ..errors import InvalidInput


def metric_value(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # numpy scalars and 0-d arrays of numbers
            if hasattr(value, "dtype") and value.dtype.kind in "iuf" and getattr(value, "ndim", 0) == 0:
                return float(value)
        except Exception:  # noqa: BLE001
            pass
        raise TypeError(
            f"metric {key!r} must be a number, got {type(value).__name__} {value!r}; "
            "log text as a tag (set_tag) and structured values as a param or an output"
        )
    try:
        return float(value)
    except OverflowError:
        raise InvalidInput(
            f"metric {key!r} value {short(value)} is too large: metrics are 64-bit floats, "
            f"at most about ±{sys.float_info.max:.4g} in size; log it scaled (e.g. its logarithm)"
        ) from None


def short(value: Any) -> str:
    text = str(value) if not isinstance(value, int) or value.bit_length() < 4000 else f"an int of {value.bit_length()} bits"
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} digits)"


def param_json(key: str, value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"param {key!r} must be a JSON value (number, text, bool, None, list or dict), "
            f"got {type(value).__name__}: log repr(value) or str(value) if that is what you mean"
        ) from exc


def step_number(key: str, step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step of metric {key!r} must be a whole number, got {type(step).__name__} {step!r}")
    return int(step)


__all__ = ["metric_value", "param_json", "short", "step_number"]
