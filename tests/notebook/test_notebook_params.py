"""The one reader of notebook source: literal assignments, the parameters cell (IPython syntax
included), papermill's injected cell, and what a parameter name may be."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_mlops.notebook.cells import NotebookError, parse_notebook
from jupyter_mlops.notebook.params import (
    InvalidParameterName,
    check_parameter_names,
    injected_names,
    is_parameter_name,
    literal_assignments,
    notebook_parameters,
    read_parameters_cell,
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


MAGICS_CELL = """%load_ext autoreload
%autoreload 2
!pip install --quiet scikit-learn
%env OMP_NUM_THREADS=1
lr = 0.1
epochs = 5  # the default
layers = [64, 32]
"""


def test_a_parameters_cell_with_ipython_syntax_is_read_as_ipython_runs_it() -> None:
    specs = read_parameters_cell(MAGICS_CELL)
    assert {name: (s.kind, s.default) for name, s in specs.items()} == {
        "lr": ("float", 0.1), "epochs": ("int", 5), "layers": ("list", [64, 32]),
    }
    assert literal_assignments(MAGICS_CELL) == {"lr": 0.1, "epochs": 5, "layers": [64, 32]}
    assert notebook_parameters([(MAGICS_CELL, ["parameters"])])["lr"] == 0.1


def test_a_cell_that_is_not_python_even_for_ipython_is_refused_with_its_line() -> None:
    with pytest.raises(NotebookError, match=r"not valid Python \(line 2"):
        read_parameters_cell("%load_ext autoreload\nlr = = 0.1", "train.ipynb")


@pytest.mark.parametrize(
    "source",
    ["x = " + "[" * 5000 + "]" * 5000, "x = " + "-" * 100_000 + "1", "x = 1" + "0" * 5000, "x = '\0'"],
)
def test_hostile_cells_give_a_clear_error_or_nothing(source: str) -> None:
    assert literal_assignments(source) == {} or list(literal_assignments(source)) == ["x"]
    try:
        specs = read_parameters_cell(source)
    except NotebookError as exc:
        assert "not valid Python" in str(exc)
    else:
        assert list(specs) == ["x"]


def test_kinds_come_from_annotations_tuples_and_the_last_literal() -> None:
    specs = read_parameters_cell("batch: int = 32.0\nshape = (1, 2)\nlr = 0.1\nlr = compute(lr)\nn: float\n")
    assert specs["batch"].kind == "int" and specs["shape"].default == (1, 2)
    assert specs["shape"].kind == "tuple"
    assert specs["lr"].kind == "float" and not specs["lr"].literal, "computed now: no default"
    assert specs["n"].kind == "float" and not specs["n"].literal


def test_the_names_papermill_injected_are_read_from_the_snapshot() -> None:
    notebook = parse_notebook(
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"papermill": {"parameters": {"stale": 1}}},'
        ' "cells": [{"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}, "source":'
        ' "# Parameters\\nlr = 0.5\\nrate = float(\\"nan\\")\\n", "outputs": [], "execution_count": 1}]}',
        None,
        "snapshot",
    )
    assert injected_names(notebook) == ["lr", "rate"], "never the metadata's stale names"


@pytest.mark.parametrize(
    "name",
    ["x = 1\nopen('owned','w').write('x')\ny", "1x", "lr ", "a-b", "", "class", "None", "ﬁle", "x.y", 3, None],
)
def test_names_that_are_not_identifiers_are_refused(name: object) -> None:
    assert not is_parameter_name(name)
    with pytest.raises(InvalidParameterName, match="not a parameter name.*identifier"):
        check_parameter_names(["lr", name], "-p")


def test_a_huge_bad_name_gives_a_short_message() -> None:
    with pytest.raises(InvalidParameterName) as caught:
        check_parameter_names(["x" * 1_000_000 + "!"] * 8)
    assert len(str(caught.value)) < 600 and "and 3 more" in str(caught.value)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_an_accepted_name_is_exactly_the_variable_it_assigns(name: str) -> None:
    if not is_parameter_name(name):
        return
    namespace: dict[str, object] = {}
    exec(compile(f"{name} = 1", "<injected>", "exec"), namespace)  # noqa: S102 - the property
    assert namespace[name] == 1 and not keyword.iskeyword(name)


@settings(deadline=None)
@given(st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,20}\Z"))
def test_every_ascii_identifier_that_is_no_keyword_is_accepted(name: str) -> None:
    assert is_parameter_name(name) is not keyword.iskeyword(name)
