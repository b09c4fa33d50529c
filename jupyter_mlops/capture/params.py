"""Params captured from a running kernel: the values of named variables as params.

What the source says (literal assignments, the ``parameters`` and ``injected-parameters``
cells) is read by :mod:`jupyter_mlops.notebook.params`, the one reader for capture, the runner
and the controls; its two functions that ``%%track`` uses are importable from here too.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..notebook.params import MAX_LITERAL_JSON, literal_assignments, notebook_parameters


def to_param(value: Any) -> tuple[bool, Any]:
    """``(True, json_value)`` for a value that can be a param (numpy scalars included),
    else ``(False, repr(value))``."""
    if hasattr(value, "dtype") and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        with contextlib.suppress(Exception):  # an odd object: left to the JSON check
            value = value.item()
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        return False, _short_repr(value)
    if isinstance(value, tuple):
        value = list(value)
    return True, value


def _short_repr(value: Any, limit: int = MAX_LITERAL_JSON) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not break the cell
        text = f"<{type(value).__name__} (repr failed: {exc})>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def namespace_values(names: Iterable[str], namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The current values of ``names`` that are literals by the rules above (others left out)."""
    values = {}
    for name in names:
        if name in namespace:
            ok, value = to_param(namespace[name])
            if ok and _is_plain(value):
                values[name] = value
    return values


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, float) or math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value) and len(json.dumps(value)) <= MAX_LITERAL_JSON
    if isinstance(value, dict):
        return (all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
                and len(json.dumps(value)) <= MAX_LITERAL_JSON)
    return False


__all__ = ["literal_assignments", "namespace_values", "notebook_parameters", "to_param"]
