"""Params captured from source: literal assignments and the notebook's parameters cells."""

from __future__ import annotations

import pytest

from jupyter_mlops.capture.params import (
    literal_assignments,
    namespace_values,
    notebook_parameters,
    to_param,
)


def test_literal_assignments_keep_json_types_and_the_last_literal_value() -> None:
    source = """
lr = 0.1
epochs: int = 3
name = "base"
use_bn = True
nothing = None
layers = [64, (32, 16)]
opts = {"momentum": 0.9, "schedule": [1, 2]}
a = b = -2
first, second = 1, "two"
lr = 0.05
"""
    assert literal_assignments(source) == {
        "lr": 0.05, "epochs": 3, "name": "base", "use_bn": True, "nothing": None,
        "layers": [64, [32, 16]], "opts": {"momentum": 0.9, "schedule": [1, 2]}, "a": -2, "b": -2,
        "first": 1, "second": "two",
    }


def test_only_top_level_literals_that_stay_literal_count() -> None:
    source = """
computed = 2 * 3
from_call = len([1])
changed = 1
changed = compute()
in_if = 1
if flag:
    in_if = 2
looped = 5
for looped in range(3):
    pass
def helper():
    inner = 1
imported = 1
import os as imported
_private = 1
odd_keys = {1: "a"}
a_set = {1, 2}
raw = b"bytes"
cplx = 1j
huge = list(range(10))
huge = [0] * 1
big = [1, 2, 3]
bigger = "%s"
"""
    found = literal_assignments(source + f"big = {list(range(1000))}\n")
    assert found == {"bigger": "%s"}


def test_code_that_does_not_parse_has_no_literals() -> None:
    assert literal_assignments("x = (") == {}


def test_injected_parameters_override_the_parameters_cell() -> None:
    cells = [("lr = 0.1\nbatch = 8", ["parameters"]), ("x = 1", []), ("batch = 16", ["injected-parameters"])]
    assert notebook_parameters(cells) == {"lr": 0.1, "batch": 16}


def test_to_param_converts_numpy_scalars_and_tuples_and_reprs_the_rest() -> None:
    numpy = pytest.importorskip("numpy")
    assert to_param(numpy.int64(3)) == (True, 3) and type(to_param(numpy.float32(0.5))[1]) is float
    assert to_param((1, "a")) == (True, [1, "a"])
    ok, text = to_param(numpy.zeros(2))
    assert not ok and text == "array([0., 0.])"
    assert to_param({"k": object()})[0] is False


def test_namespace_values_take_plain_values_only() -> None:
    namespace = {"lr": 0.2, "model": object(), "layers": (1, 2), "nan": float("nan")}
    assert namespace_values(["lr", "model", "layers", "nan", "absent"], namespace) == {"lr": 0.2, "layers": [1, 2]}
