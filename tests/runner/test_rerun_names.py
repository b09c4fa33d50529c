"""A re-run is named from what changed: one rule (``runner.reruns.rerun_name``) for the CLI,
the REST API and both forms."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_mlops.runner.reruns import rerun_name


def test_changed_values_are_rewritten_in_the_name_and_new_ones_added() -> None:
    values = {"lr": 0.05, "alpha": 0.0001, "epochs": 10}
    name = rerun_name("train lr=0.05 alpha=0.0001", values, {"lr": 0.1, "epochs": 40})
    assert name == "train lr=0.1 alpha=0.0001 epochs=40"


def test_unchanged_values_leave_the_name_alone() -> None:
    values = {"lr": 0.1, "epochs": 40, "flag": True}
    assert rerun_name("train", values, {}) == "train"
    assert rerun_name("train", values, {"lr": 0.1, "epochs": 40.0}) == "train"
    # True == 1 in Python, but a flag that became a number did change
    assert rerun_name("train", values, {"flag": 1}) == "train flag=1"


def test_a_key_inside_another_key_is_not_rewritten() -> None:
    values = {"lr": 0.1, "max_lr": 1.0}
    assert rerun_name("run max_lr=1.0", values, {"lr": 0.2}) == "run max_lr=1.0 lr=0.2"
    assert rerun_name("run max_lr=1.0 lr=0.1", values, {"lr": 0.2}) == "run max_lr=1.0 lr=0.2"


def test_texts_lists_and_long_values_stay_short_and_on_one_line() -> None:
    values = {"opt": "adam", "layers": [1], "path": "a"}
    name = rerun_name("fit", values, {"opt": "sgd", "layers": [64, 64], "path": "x" * 500 + "\n"})
    assert name == "fit opt=sgd layers=[64, 64] path=" + "x" * 23 + "…"
    assert rerun_name("fit", values, {"opt": ""}) == 'fit opt=""'


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
keys = st.sampled_from(["lr", "max_lr", "epochs", "opt", "a", "b_1"])
json_values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(names, st.dictionaries(keys, json_values, max_size=5), st.dictionaries(keys, json_values, max_size=5))
def test_every_change_shows_in_the_name_and_the_name_stays_bounded(
    name: str, values: dict[str, Any], changes: dict[str, Any]
) -> None:
    result = rerun_name(name, values, changes)
    assert len(result) <= max(200, len(name))
    changed = [k for k, v in changes.items()
               if not (k in values and values[k] == v and isinstance(values[k], bool) == isinstance(v, bool))]
    if not changed:
        assert result == name
    elif len(result) < 199:
        for key in changed:
            assert re.search(rf"(?<![\w.]){re.escape(key)}=", result), (key, result)
