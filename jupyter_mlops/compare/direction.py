"""Which way is better for a metric: the one rule behind every "best" mark and regression gate.

A metric is better lower when a part of its name says so (``val_loss``, ``rmse``, ``latency_ms``),
else better higher (``accuracy``, ``f1``, ``auc``). A caller's explicit choice always wins, so a
user with an oddly named metric says ``--lower-is-better score`` once instead of renaming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

Direction = Literal["min", "max"]

#: Metric name parts for which a lower value is better; any other metric is better higher.
LOWER_IS_BETTER = frozenset(
    {
        "loss",
        "error",
        "err",
        "mse",
        "rmse",
        "mae",
        "mape",
        "nll",
        "perplexity",
        "ppl",
        "time",
        "latency",
        "duration",
        "cost",
        "regret",
        "wer",
        "cer",
        "distance",
        "bpd",
        "seconds",
    }
)

_PARTS = re.compile(r"[^a-z0-9]+")


def _bare(key: str) -> str:
    """``metrics.val_loss`` and ``val_loss`` name the same metric."""
    return key[len("metrics.") :] if key.startswith("metrics.") else key


def lower_is_better(key: str, overrides: Mapping[str, Direction] | None = None) -> bool:
    """Whether a lower value of metric ``key`` is better; ``overrides`` maps names to a direction."""
    key = _bare(key)
    if overrides:
        chosen = overrides.get(key) or overrides.get(f"metrics.{key}")
        if chosen is not None:
            return chosen == "min"
    parts = _PARTS.split(key.lower())
    return any(part in LOWER_IS_BETTER or part.endswith("loss") for part in parts)


def direction(key: str, overrides: Mapping[str, Direction] | None = None) -> Direction:
    """``"min"`` or ``"max"``: which end of metric ``key``'s values is the best one."""
    return "min" if lower_is_better(key, overrides) else "max"


def direction_overrides(
    higher: Iterable[str] = (), lower: Iterable[str] = ()
) -> dict[str, Direction]:
    """The overrides for :func:`direction` from two lists of metric names, as the CLI takes them.

    A name in both lists is a usage error: raises ``ValueError`` naming it.
    """
    chosen: dict[str, Direction] = {_bare(key): "max" for key in higher}
    for key in lower:
        if chosen.get(_bare(key)) == "max":
            raise ValueError(
                f"metric {_bare(key)!r} is named both higher- and lower-is-better; name it once"
            )
        chosen[_bare(key)] = "min"
    return chosen


def best_value(
    key: str, values: Iterable[float], overrides: Mapping[str, Direction] | None = None
) -> float | None:
    """The best of ``values`` for metric ``key`` (NaN and infinities left out), or None."""
    finite = [value for value in values if value == value and abs(value) != float("inf")]
    if not finite:
        return None
    return min(finite) if lower_is_better(key, overrides) else max(finite)
