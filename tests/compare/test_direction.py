"""The one rule for which way a metric is better, used by best marks and regression gates."""

from __future__ import annotations

import math

import pytest

from jupyter_mlops.compare.direction import best_value, direction, direction_overrides


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("val_loss", "min"),
        ("metrics.val_loss", "min"),
        ("train/cross_entropy_loss", "min"),
        ("rmse", "min"),
        ("latency_ms", "min"),
        ("Error-Rate", "min"),
        ("val_acc", "max"),
        ("accuracy", "max"),
        ("f1", "max"),
        ("auc", "max"),
    ],
)
def test_direction_from_the_metric_name(key: str, expected: str) -> None:
    assert direction(key) == expected


def test_an_explicit_choice_wins_over_the_name() -> None:
    overrides = direction_overrides(higher=["metrics.loss_reduction"], lower=["score"])
    assert direction("loss_reduction", overrides) == "max"
    assert direction("metrics.score", overrides) == "min"
    assert direction("val_loss", overrides) == "min"


def test_a_metric_named_both_ways_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="'score'"):
        direction_overrides(higher=["score"], lower=["metrics.score"])


def test_best_value_skips_nan_and_infinities() -> None:
    assert best_value("loss", [0.5, math.nan, 0.2, -math.inf]) == 0.2
    assert best_value("acc", [0.5, math.inf, 0.9]) == 0.9
    assert best_value("acc", [math.nan]) is None
