"""Parameter types come from the parameters cell's syntax tree; bad values are refused early."""

from __future__ import annotations

import pytest

from jupyter_mlops.notebook.cells import NotebookError, load_notebook
from jupyter_mlops.notebook.params import read_parameters_cell
from jupyter_mlops.runner.errors import ParameterError
from jupyter_mlops.runner.parameters import (
    TextValue,
    coerce,
    parameters_from_yaml,
    resolve_parameters,
)

CELL = """
lr = 0.1
epochs = 5
name = "baseline"
verbose = False
layers = [64, 32]
options = {"a": 1}
data = None
model = make_model()
batch: int = 32.0
"""


def specs():
    return read_parameters_cell(CELL)


def test_reads_names_and_literal_defaults_from_the_syntax_tree():
    found = specs()
    assert {n: s.kind for n, s in found.items()} == {
        "lr": "float",
        "epochs": "int",
        "name": "str",
        "verbose": "bool",
        "layers": "list",
        "options": "dict",
        "data": None,
        "model": None,
        "batch": "int",
    }
    assert found["layers"].default == [64, 32]
    assert not found["model"].literal


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("lr", "1", 1.0),
        ("lr", "1e-3", 0.001),
        ("epochs", "10", 10),
        ("epochs", "10.0", 10),
        ("name", "42", "42"),
        ("verbose", "yes", True),
        ("verbose", "False", False),
        ("layers", "[128, 64]", [128, 64]),
        ("layers", "(1, 2)", [1, 2]),
        ("options", '{"b": 2}', {"b": 2}),
        ("data", "None", None),
        ("data", "null", "null"),  # papermill's -p: only None is None
        ("data", "3", 3),
        ("data", "train.csv", "train.csv"),
        ("batch", "64", 64),
    ],
)
def test_text_values_take_the_type_of_the_default(name, text, expected):
    value = coerce(specs()[name], name, TextValue(text))
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("epochs", TextValue("ten")),
        ("epochs", TextValue("2.5")),
        ("lr", TextValue("fast")),
        ("lr", True),
        ("verbose", TextValue("maybe")),
        ("layers", TextValue("64")),
        ("options", [1, 2]),
        ("name", [1]),
    ],
)
def test_values_that_cannot_convert_are_refused_with_the_expected_type(name, value):
    with pytest.raises(ParameterError) as caught:
        coerce(specs()[name], name, value)
    assert name in str(caught.value)
    assert "parameters cell" in str(caught.value)


def test_yaml_values_keep_their_type_or_convert():
    given = parameters_from_yaml("{lr: 1, epochs: 3, name: 7, layers: [1]}")
    assert coerce(specs()["lr"], "lr", given["lr"]) == 1.0
    assert coerce(specs()["name"], "name", given["name"]) == "7"
    with pytest.raises(ParameterError):
        parameters_from_yaml("- just\n- a list")


def test_unknown_names_are_reported_and_passed_through(notebook):
    nb = load_notebook(notebook("nb", "lr = 0.1"))
    resolved = resolve_parameters(nb, {"lr": TextValue("1"), "seed": TextValue("7"), "tag": "v1"})
    assert resolved.values == {"lr": 1.0, "seed": 7, "tag": "v1"}
    assert resolved.unknown == ["seed", "tag"]


def test_every_bad_value_is_named_in_one_error(notebook):
    nb = load_notebook(notebook("nb", "lr = 0.1\nepochs = 5"))
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(nb, {"lr": TextValue("x"), "epochs": TextValue("y")})
    assert "'lr'" in str(caught.value) and "'epochs'" in str(caught.value)


def test_parameters_without_a_parameters_cell_pass_as_papermill_types_them(notebook):
    nb = load_notebook(notebook("plain", None, "x = 1"))
    resolved = resolve_parameters(nb, {"x": TextValue("2"), "name": TextValue("[1, 2]")})
    assert resolved.no_parameters_cell and resolved.values == {"x": 2, "name": "[1, 2]"}
    assert resolve_parameters(nb, {}).values == {}


def test_a_parameters_cell_that_is_not_python_is_reported(notebook):
    nb = load_notebook(notebook("broken", "lr = = 1"))
    from jupyter_mlops.notebook.params import parameter_specs

    with pytest.raises(NotebookError, match="not valid Python"):
        parameter_specs(nb)
