"""Parameter types come from the parameters cell's syntax tree; bad values are refused early."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


PAPERMILL_LIKE_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["True", "true", "False", "None", "null", "nan", "-inf", " 7 ", "1_000", "1e3",
                     "0x10", "[1, 2]", '{"a": 1}', "١٢", "+5", "5.", ".5"]),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)


@settings(max_examples=300, deadline=None)
@given(PAPERMILL_LIKE_TEXT)
def test_text_for_a_parameter_of_no_type_is_typed_exactly_as_papermill_types_it(text: str) -> None:
    from papermill.cli import _resolve_type

    ours = coerce(specs()["data"], "data", TextValue(text))  # data = None
    theirs = _resolve_type(text)
    assert type(ours) is type(theirs)
    assert ours == theirs or (ours != ours and theirs != theirs)  # NaN is NaN


def test_raw_text_stays_text_where_the_notebook_gives_no_type() -> None:
    assert coerce(specs()["data"], "data", "3") == "3"
    assert coerce(specs()["epochs"], "epochs", "3") == 3, "a typed default still converts it"


@pytest.mark.parametrize("name", ["x = 1\nopen('owned','w').write('x')\ny", "bad name", "class"])
def test_a_name_that_is_not_an_identifier_is_refused_before_typing(notebook, name) -> None:
    from jupyter_mlops.errors import InvalidInput

    nb = load_notebook(notebook("nb", "lr = 0.1"))
    with pytest.raises(InvalidInput, match="not a parameter name"):
        resolve_parameters(nb, {"lr": 1, name: 1})


def test_hostile_values_are_refused_in_one_short_message(notebook) -> None:
    nb = load_notebook(notebook("nb", "layers = [1]\nname = None"))
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(nb, {"layers": TextValue("[" * 100_000 + "]" * 100_000)})
    assert "'layers' takes list" in str(caught.value) and len(str(caught.value)) < 300
    deep: list = []
    inner = deep
    for _ in range(5_000):
        inner.append([])
        inner = inner[0]
    with pytest.raises(ParameterError, match="'name': its value is nested too deeply"):
        resolve_parameters(nb, {"name": deep})
    assert resolve_parameters(nb, {"name": TextValue("9" * 5000)}).values["name"] == float("inf"), (
        "as papermill: too many digits for an int, a float"
    )
