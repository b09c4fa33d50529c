"""Metrics of a run and of its reproduction compared within a relative tolerance: last values
and whole series.

Two numbers agree when ``|a - b| <= tolerance * max(|a|, |b|)`` (so 0 agrees only with 0, and a
tolerance of 0 asks for the same bits); NaN agrees with NaN, an infinity with the same infinity.
Two series agree when they were logged at the same steps and agree point by point. System
metrics (``system/...``: CPU, memory) are never compared: they measure the machine, not the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput

DEFAULT_TOLERANCE = 1e-6

#: Reads one metric's series of a run: ``(steps, values)``.
SeriesReader = Callable[[str], "tuple[Sequence[int], Sequence[float]]"]


def parse_tolerance(value: Any) -> float:
    """A relative tolerance from a number or text (``1e-6``, ``0.5%``); bad ones say how to fix."""
    text = str(value).strip()
    hint = "give a relative tolerance such as 1e-6 or 0.5% (0 asks for identical values)"
    if isinstance(value, bool) or not text or len(text) > 40:
        raise InvalidInput(f"tolerance {text[:40]!r} is not a number; {hint}")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    try:
        number = float(text) * scale
    except ValueError:
        raise InvalidInput(f"tolerance {str(value)[:40]!r} is not a number; {hint}") from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"tolerance {str(value)[:40]!r} must be a finite number of at least 0; {hint}")
    return number


def relative_difference(a: float, b: float) -> float:
    """``|a - b| / max(|a|, |b|)``: 0 for equal values (NaN and NaN included), inf when only one
    is NaN or the infinities differ."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


@dataclass(frozen=True)
class MetricDifference:
    """One metric that does not agree: its last values, the largest relative difference seen
    (last value or any point of the series) and, in words, where."""

    key: str
    original: float | None
    reproduced: float | None  # None: the reproduction did not log it
    relative: float
    detail: str

    def to_json(self) -> dict[str, Any]:
        def number(value: float | None) -> float | str | None:
            return value if value is None or math.isfinite(value) else str(value)

        return {"key": self.key, "original": number(self.original), "reproduced": number(self.reproduced),
                "relative": number(self.relative), "detail": self.detail}


def compared_keys(metrics: Mapping[str, float]) -> list[str]:
    return sorted(key for key in metrics if not key.startswith("system/"))


def metric_differences(
    original: Mapping[str, float],
    reproduced: Mapping[str, float],
    tolerance: float,
    original_series: SeriesReader,
    reproduced_series: SeriesReader,
) -> list[MetricDifference]:
    """The metrics of ``original`` (system metrics left out) that ``reproduced`` does not match
    within ``tolerance``, by key."""
    differences = []
    for key in compared_keys(original):
        a = float(original[key])
        if key not in reproduced:
            differences.append(MetricDifference(key, a, None, math.inf, "not logged by the reproduction"))
            continue
        b = float(reproduced[key])
        last = relative_difference(a, b)
        detail = _series_detail(original_series(key), reproduced_series(key), tolerance)
        if last > tolerance:
            text = f"last value {_fmt(a)} vs {_fmt(b)}"
            if detail is None:
                differences.append(MetricDifference(key, a, b, last, text))
            else:
                differences.append(MetricDifference(key, a, b, max(last, detail[0]), f"{text}; {detail[1]}"))
        elif detail is not None:
            differences.append(MetricDifference(key, a, b, detail[0], detail[1]))
    return differences


def _series_detail(
    a: tuple[Sequence[int], Sequence[float]], b: tuple[Sequence[int], Sequence[float]], tolerance: float
) -> tuple[float, str] | None:
    """How two series disagree (largest relative difference, in words), None when they agree."""
    (steps_a, values_a), (steps_b, values_b) = a, b
    if list(steps_a) != list(steps_b):
        return math.inf, f"series logged {len(steps_a)} points in the original, {len(steps_b)} in the reproduction" + (
            "" if len(steps_a) != len(steps_b) else " (at other steps)")
    worst, where = 0.0, -1
    for index, (x, y) in enumerate(zip(values_a, values_b, strict=True)):
        difference = relative_difference(x, y)
        if difference > worst:
            worst, where = difference, index
    if worst <= tolerance:
        return None
    return worst, (f"series differs most at step {steps_a[where]}: {_fmt(values_a[where])} vs "
                   f"{_fmt(values_b[where])}")


def _fmt(value: float) -> str:
    return f"{value:.6g}"


__all__ = ["DEFAULT_TOLERANCE", "MetricDifference", "compared_keys", "metric_differences", "parse_tolerance",
           "relative_difference"]
