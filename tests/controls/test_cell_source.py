"""A cell's controllable literals and the cell rewritten with new values, from its syntax tree."""

from __future__ import annotations

import ast

import pytest

from jupyter_mlops.capture.params import literal_assignments
from jupyter_mlops.controls.source import read_cell, substitute
from jupyter_mlops.errors import InvalidInput

CELL = """\
# the lr below is tuned by hand; lr = 0.5 in this comment must stay as it is
import math
epochs = 10
lr: float = 1e-3  # learning rate
opt = "adam"  # choices: adam, sgd
# choices: 16, 32
units = 32
width, depth = 4, -2
model = build(units, depth)
note = "lr = 0.1"
print("epochs =", epochs, f"{lr=}")
"""


def test_literals_are_found_with_their_positions_and_choices_comments() -> None:
    cell = read_cell(CELL)
    assert list(cell.literals) == ["epochs", "lr", "opt", "units", "width", "depth", "note"]
    assert {name: lit.value for name, lit in cell.literals.items()} == literal_assignments(CELL)
    for literal in cell.literals.values():
        assert ast.literal_eval(CELL[literal.start : literal.end]) == literal.value
    assert cell.literals["opt"].choices_comment == "# choices: adam, sgd"
    assert cell.literals["units"].choices_comment == "# choices: 16, 32"  # alone on the line above
    assert cell.literals["lr"].choices_comment is None
    assert cell.not_controllable == {"model": "its value is computed, not a literal"}


def test_values_are_substituted_into_the_literals_only() -> None:
    cell = read_cell(CELL)
    new = substitute(cell, {"epochs": 25, "lr": 0.0003, "opt": "sgd", "depth": 3, "note": "it's"})
    assert new == CELL.replace("epochs = 10", "epochs = 25").replace("1e-3", "0.0003").replace(
        '"adam"  #', '"sgd"  #'
    ).replace("4, -2", "4, 3").replace('"lr = 0.1"', '"it\'s"')
    assert literal_assignments(new) == {
        **literal_assignments(CELL),
        "epochs": 25,
        "lr": 0.0003,
        "opt": "sgd",
        "depth": 3,
        "note": "it's",
    }
    assert substitute(cell, {}) == CELL


def test_positions_count_characters_after_non_ascii_text() -> None:
    source = 'title = "Größe ✓"; lr = 0.1\nγ = 0.5\n'
    cell = read_cell(source)
    new = substitute(cell, {"lr": 0.2, "γ": 0.75, "title": "ü"})
    assert new == 'title = "ü"; lr = 0.2\nγ = 0.75\n'


def test_a_non_literal_assignment_is_not_controllable_and_listed_once() -> None:
    cell = read_cell(
        "scale = compute()\n"
        "scale = compute() * 2\n"
        "lr = 0.1\n"
        "lr = lr / 10\n"  # computed after its literal: its value is not known from the source
        "steps = 100\n"
        "for steps in range(3):\n"  # bound again after its literal
        "    pass\n"
        "a = b = 1\n"  # one literal for two names
        "layers = [64, 32]\n"
        "_private = 3\n"
        "later = compute()\n"
        "later = 5\n"  # a literal after a computed value counts
    )
    assert list(cell.literals) == ["a", "layers", "later"]
    assert cell.not_controllable == {
        "scale": "its value is computed, not a literal",
        "lr": "its value is computed, not a literal",
        "steps": "line 6 changes it after its literal on line 5",
        "b": "it shares one literal with a (a = b = …); give each its own assignment",
    }


def test_cells_with_ipython_syntax_are_read_through_the_transform() -> None:
    from IPython.core.inputtransformer2 import TransformerManager

    source = "%time x = 1\nlr = 0.1\n!echo hi\nepochs = 3\n"
    assert read_cell(source).syntax_error is not None
    cell = read_cell(source, TransformerManager().transform_cell)
    assert cell.syntax_error is None and list(cell.literals) == ["lr", "epochs"]
    assert (
        substitute(cell, {"lr": 0.5, "epochs": 7})
        == "%time x = 1\nlr = 0.5\n!echo hi\nepochs = 7\n"
    )


def test_a_cell_that_does_not_parse_has_no_literals() -> None:
    cell = read_cell("lr = 0.1\nif True print(lr)\n")
    assert cell.literals == {} and isinstance(cell.syntax_error, SyntaxError)


def test_substitution_refuses_unknown_names_and_values_without_a_literal() -> None:
    cell = read_cell("lr = 0.1\n")
    with pytest.raises(
        InvalidInput, match="epochs: not a literal param of this cell; its params are lr"
    ):
        substitute(cell, {"epochs": 3})
    with pytest.raises(InvalidInput, match="inf cannot be written as a literal"):
        substitute(cell, {"lr": float("inf")})
    with pytest.raises(InvalidInput, match="a list is not a control value"):
        substitute(cell, {"lr": [1]})
