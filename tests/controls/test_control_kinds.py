"""Which control each literal or declaration gets, and which values a control can hold."""

from __future__ import annotations

import math

import pytest

from jupyter_mlops.controls import kinds as k
from jupyter_mlops.controls.declarations import spec_for_declaration
from jupyter_mlops.controls.kinds import (
    check_value,
    parse_choices,
    spec_for_literal,
    widened,
)
from jupyter_mlops.errors import InvalidInput


@pytest.mark.parametrize(
    ("name", "value", "kind", "low", "high"),
    [
        ("epochs", 10, k.INT_SLIDER, 0, 100),
        ("batch_size", 3, k.INT_SLIDER, 0, 30),
        ("offset", -5, k.INT_SLIDER, -50, 50),
        ("seed", 42, k.INT_TEXT, None, None),
        ("random_state", 0, k.INT_TEXT, None, None),
        ("rows", 5_000_000, k.INT_TEXT, None, None),
        ("lr", 0.1, k.FLOAT_LOG_SLIDER, 0.001, 10.0),
        ("learning_rate", 0.01, k.FLOAT_LOG_SLIDER, 1e-4, 1.0),
        ("weightDecay", 0.5, k.FLOAT_LOG_SLIDER, 0.01, 100.0),
        ("tiny", 0.0003, k.FLOAT_LOG_SLIDER, 1e-6, 0.01),  # a small value says "rate"
        ("dropout", 0.5, k.FLOAT_SLIDER, 0.0, 1.0),
        ("dropout_rate", 0.2, k.FLOAT_SLIDER, 0.0, 1.0),  # a fraction, even named "rate"
        ("lr", 0.0, k.FLOAT_SLIDER, 0.0, 1.0),  # no log scale reaches 0
        ("temperature", 2.0, k.FLOAT_SLIDER, 0.0, 20.0),
        ("shift", -1.5, k.FLOAT_SLIDER, -15.0, 15.0),
        ("shuffle", True, k.CHECKBOX, None, None),
        ("model", "resnet", k.TEXT, None, None),
    ],
)
def test_control_kinds_are_chosen_from_literals(
    name: str, value: object, kind: str, low: object, high: object
) -> None:
    spec = spec_for_literal(name, value)
    assert (spec.kind, spec.value) == (kind, value)
    assert spec.low == pytest.approx(low) if low is not None else spec.low is None
    assert spec.high == pytest.approx(high) if high is not None else spec.high is None
    assert not spec.fixed_range


def test_a_choices_comment_gives_a_dropdown_of_the_values_type() -> None:
    assert spec_for_literal(
        "opt", "adam", parse_choices("# choices: adam, sgd", "adam")
    ).choices == ("adam", "sgd")
    ints = spec_for_literal("units", 64, parse_choices("# choices: 32, 64, 128", 64))
    assert (ints.kind, ints.choices) == (k.DROPDOWN, (32, 64, 128))
    assert all(type(c) is int for c in ints.choices)
    floats = parse_choices("#choices: [0.1, 1, 10]", 0.5)
    assert floats == [0.1, 1.0, 10.0] and all(type(c) is float for c in floats)
    quoted = parse_choices("# Choices: 'a, b', \"c\"", "c")  # commas split; quotes are removed
    assert quoted == ["'a", "b'", "c"]
    assert parse_choices("# choices: ['a, b', 'c']", "c") == ["a, b", "c"]
    assert parse_choices("# the best choice", "x") is None
    # the value itself is always one of the choices
    assert spec_for_literal("opt", "rmsprop", ["adam", "sgd"]).choices == ("rmsprop", "adam", "sgd")


@pytest.mark.parametrize(
    ("comment", "value", "message"),
    [
        ("# choices: 32, big", 64, "'big' is not a whole number like the value 64"),
        ("# choices:", "a", "lists no values"),
        ("# choices: [1, 2", 1, "is not a list"),
        ("# choices: yes, no", True, "'yes' is not True/False"),
    ],
)
def test_unreadable_choices_say_what_is_wrong(comment: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_choices(comment, value)


@pytest.mark.parametrize(
    ("value", "what"), [(None, "None"), ([64, 32], "a list"), ({"a": 1}, "a dict")]
)
def test_values_without_a_control_are_refused_with_the_reason(value: object, what: str) -> None:
    with pytest.raises(InvalidInput, match=f"{what}.*has no control"):
        spec_for_literal("x", value)


def test_declarations_give_fixed_ranges_with_sensible_defaults() -> None:
    lr = spec_for_declaration("lr", (1e-4, 1e-1, "log"))
    assert (lr.kind, lr.low, lr.high, lr.fixed_range) == (k.FLOAT_LOG_SLIDER, 1e-4, 1e-1, True)
    assert lr.value == pytest.approx(math.sqrt(1e-4 * 1e-1), rel=1e-2)  # the middle on a log scale
    epochs = spec_for_declaration("epochs", (1, 50))
    assert (epochs.kind, epochs.value, epochs.step) == (k.INT_SLIDER, 25, 1)
    stepped = spec_for_declaration("units", (16, 256, 16, 64))
    assert (stepped.kind, stepped.value, stepped.step) == (k.INT_SLIDER, 64, 16)
    ratio = spec_for_declaration("ratio", (0.0, 1.0))
    assert (ratio.kind, ratio.value, ratio.step) == (k.FLOAT_SLIDER, 0.5, 0.01)
    assert spec_for_declaration("lr", (1e-4, 1e-1, "log", 0.001)).value == 0.001
    opt = spec_for_declaration("opt", ["adam", "sgd"])
    assert (opt.kind, opt.value, opt.choices) == (k.DROPDOWN, "adam", ("adam", "sgd"))
    assert spec_for_declaration("shuffle", True).kind == k.CHECKBOX
    assert spec_for_declaration("epochs", 10).kind == k.INT_SLIDER


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ((0.1, 0.01), "min 0.1 must be below max 0.01"),
        ((0, 1, "log"), "a log scale needs min above 0"),
        ((1, 10, "linear"), "the scale 'linear' is unknown"),
        ((1, 10, 0), "the step must be above 0"),
        ((1, 10, 1, 20), "the default 20 is outside 1…10"),
        (("a", "b"), "the min 'a' is not a finite number"),
        ((1,), r"declare a control as \(min, max\)"),
        ([], "needs at least one value"),
        ([{"a": 1}], "is not a number, a text or True/False"),
        (None, "a NoneType is not a control"),
        (float("nan"), "needs a finite number"),
    ],
)
def test_bad_declarations_say_what_is_wrong_and_how_to_write_them(
    declaration: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        spec_for_declaration("x", declaration)


def test_a_declared_range_refuses_values_beyond_it_an_inferred_one_accepts_them() -> None:
    declared = spec_for_declaration("lr", (1e-4, 1e-1, "log"))
    with pytest.raises(
        InvalidInput, match="lr: 0.5 is outside 0.0001…0.1 .* the range given to mlops.controls"
    ):
        check_value(declared, 0.5)
    assert check_value(declared, 0.01) == 0.01
    inferred = spec_for_literal("epochs", 10)
    assert check_value(inferred, 500) == 500
    wider = widened(inferred, 500)
    assert (wider.low, wider.high) == (0, 500)
    log = widened(spec_for_literal("lr", 0.01), 50.0)
    assert (log.low, log.high) == (1e-4, 100.0)


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (spec_for_literal("epochs", 10), 2.5, "2.5 is not a whole number"),
        (spec_for_literal("epochs", 10), "ten", "'ten' is not a number"),
        (spec_for_literal("epochs", 10), True, "True is not a number"),
        (spec_for_literal("lr", 0.01), 0.0, "cannot be on a log scale"),
        (spec_for_literal("lr", 0.01), float("inf"), "inf is not a finite number"),
        (spec_for_literal("shuffle", True), 1, "1 is not True or False"),
        (spec_for_literal("model", "a"), 3, "3 is not a text"),
        (
            spec_for_declaration("opt", ["adam", "sgd"]),
            "rmsprop",
            "'rmsprop' is not one of 'adam', 'sgd'",
        ),
    ],
)
def test_values_a_control_cannot_hold_are_refused(
    spec: k.ControlSpec, value: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_value(spec, value)


def test_values_are_converted_to_the_controls_type() -> None:
    assert type(check_value(spec_for_literal("epochs", 10), 12.0)) is int
    assert type(check_value(spec_for_literal("dropout", 0.5), 1)) is float
    ints = spec_for_literal("units", 64, [32, 64])
    assert check_value(ints, 32) == 32
    with pytest.raises(InvalidInput):
        check_value(
            spec_for_literal("flag", True, [True, False]), 1
        )  # 1 == True, but it is no bool
