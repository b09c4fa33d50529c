"""Params captured from a kernel's namespace (what the source says: tests/notebook)."""

from __future__ import annotations

import pytest

from jupyter_mlops.capture.params import namespace_values, to_param


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
