"""--grid parsing and the combinations of a sweep."""

from __future__ import annotations

import pytest

from jupyter_mlops.errors import FilterSyntaxError
from jupyter_mlops.runner.errors import GridError
from jupyter_mlops.runner.parent_run import summary_order
from jupyter_mlops.runner.sweeps import combinations, parse_grid


def test_values_split_on_commas_outside_brackets_and_quotes():
    grid = parse_grid(["lr=0.1,0.01", "layers=[64,32],[128]", "name='a,b',c"])
    assert grid == {"lr": ["0.1", "0.01"], "layers": ["[64,32]", "[128]"], "name": ["'a,b'", "c"]}


@pytest.mark.parametrize("option", ["lr", "=1,2", "lr=", "lr=1,,2", "1x=2", "lr=[1,2"])
def test_bad_grid_syntax_is_refused(option):
    with pytest.raises(GridError):
        parse_grid([option])


def test_a_name_given_twice_is_refused():
    with pytest.raises(GridError, match="twice"):
        parse_grid(["lr=1", "lr=2"])


def test_combinations_in_order_and_at_random():
    grid = {"lr": [0.1, 0.01], "epochs": [5, 10, 20]}
    every = combinations(grid)
    assert len(every) == 6
    assert every[0] == {"lr": 0.1, "epochs": 5} and every[-1] == {"lr": 0.01, "epochs": 20}
    drawn = combinations(grid, random=4, seed=3)
    assert len(drawn) == 4 and len({tuple(c.items()) for c in drawn}) == 4
    assert all(c in every for c in drawn)
    assert combinations(grid, random=4, seed=3) == drawn


def test_empty_grid_and_too_many_random_draws_are_refused():
    with pytest.raises(GridError, match="empty"):
        combinations({})
    with pytest.raises(GridError, match="2 combinations"):
        combinations({"lr": [1, 2]}, random=3)


def test_sort_keys_with_a_minus_sort_descending():
    assert summary_order("-metrics.acc, params.lr") == "metrics.acc desc, params.lr"
    assert summary_order(None) == "started_at"
    with pytest.raises(FilterSyntaxError):
        summary_order("-bogus.acc")
