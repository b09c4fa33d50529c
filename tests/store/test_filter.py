from __future__ import annotations

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import FilterSyntaxError
from jupyter_mlops.store.filter import And, Comparison, Not, Or, parse_filter, parse_order_by


@pytest.fixture
def populated(store_location: str):  # type: ignore[no-untyped-def]
    specs = [
        ("train-a", "churn", {"lr": 0.1, "opt": "adam", "epochs": 5}, {"acc": 0.91, "loss": 0.3}, {"stage": "prod"}),
        ("train-b", "churn", {"lr": 0.01, "opt": "sgd", "epochs": 10}, {"acc": 0.85, "loss": 0.5}, {"stage": "dev"}),
        ("train-c", "churn", {"lr": 0.1, "opt": "sgd", "epochs": 10}, {"acc": 0.95, "loss": 0.2}, {}),
        ("eval", "vision", {"lr": 1, "flag": True, "name with space": "x"}, {"val/acc": 0.5}, {"stage": "prod"}),
    ]
    for name, experiment, params, metrics, tags in specs:
        with mlops.start_run(name=name, experiment=experiment, params=params, tags=tags, store=store_location):
            mlops.log_metrics(metrics)
    with pytest.raises(RuntimeError), mlops.start_run(name="broken", experiment="churn", store=store_location):
        raise RuntimeError("boom")
    return mlops.get_store(store_location)


def names(runs) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.name for r in runs)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("params.lr = 0.1 and metrics.acc >= 0.9", ["train-a", "train-c"]),
        ("tags.stage = 'prod' or status = 'failed'", ["broken", "eval", "train-a"]),
        ("(params.opt = 'sgd' or params.opt = 'adam') and not metrics.acc > 0.9", ["train-b"]),
        ("params.opt IN ('adam', 'sgd') and params.epochs != 5", ["train-b", "train-c"]),
        ("params.opt NOT IN ('adam')", ["train-b", "train-c"]),
        ("name LIKE 'train%'", ["train-a", "train-b", "train-c"]),
        ("name NOT LIKE 'train%'", ["broken", "eval"]),
        ("experiment = 'vision'", ["eval"]),
        ("params.lr = 1.0", ["eval"]),  # 1 and 1.0 are the same number
        ("params.flag = true", ["eval"]),
        ("params.`name with space` = 'x'", ["eval"]),
        ("metrics.val/acc < 0.6", ["eval"]),
        ("metrics.`val/acc` < 0.6", ["eval"]),
        ("tags.stage IS NULL", ["broken", "train-c"]),
        ("metrics.loss <= 0.3 and metrics.loss > 0.2", ["train-a"]),
        ("duration >= 0 and started_at > '2000-01-01'", ["broken", "eval", "train-a", "train-b", "train-c"]),
        ("status = \"finished\" AND params.lr < 0.05", ["train-b"]),
    ],
)
def test_filters_select_the_right_runs(populated, expression: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert names(populated.search_runs(expression)) == expected
    assert populated.count_runs(expression) == len(expected)


def test_order_by_several_keys_with_nulls_last(populated) -> None:  # type: ignore[no-untyped-def]
    ordered = populated.search_runs(experiment="churn", order_by="params.epochs desc, metrics.acc")
    assert [r.name for r in ordered] == ["train-b", "train-c", "train-a", "broken"]
    assert [r.name for r in populated.search_runs(order_by="name")][:2] == ["broken", "eval"]
    assert [r.name for r in populated.search_runs(limit=2, offset=1, order_by="name")] == ["eval", "train-a"]


def test_newest_first_by_default(populated) -> None:  # type: ignore[no-untyped-def]
    runs = populated.search_runs()
    assert [r.name for r in runs] == ["broken", "eval", "train-c", "train-b", "train-a"]
    assert populated.experiments() == ["churn", "vision"]


@pytest.mark.parametrize(
    ("expression", "position", "message"),
    [
        ("params.lr = ", 12, "expected a value"),
        ("params.lr = 0.1 and", 19, "expected a field"),
        ("metrics.acc >> 1", 13, "expected a value"),
        ("(status = 'failed'", 18, "expected ')'"),
        ("colour = 'red'", 0, "unknown field 'colour'"),
        ("params.lr = 0.1 extra", 16, "expected 'and', 'or'"),
        ("metrics.acc = 'high'", 0, "holds numbers"),
        ("name IN ('a', )", 14, "expected a value"),
        ("name ~ 'x'", 5, "unexpected character"),
        ("started_at > 'yesterday'", 0, "is not a date"),
    ],
)
def test_syntax_errors_name_the_position(expression: str, position: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(expression)
    assert caught.value.position == position
    assert message in str(caught.value)
    assert f"at position {position}" in str(caught.value)


def test_bad_order_by_is_refused() -> None:
    with pytest.raises(FilterSyntaxError, match="expected ',', 'asc', 'desc'"):
        parse_order_by("metrics.acc descending")
    with pytest.raises(FilterSyntaxError, match="unknown field"):
        parse_order_by("speed")


def test_the_tree_has_the_expected_shape() -> None:
    node = parse_filter("not (params.a = 1 or params.b = 2) and tags.t = 'x'")
    assert isinstance(node, And)
    assert isinstance(node.parts[0], Not) and isinstance(node.parts[0].part, Or)
    assert isinstance(node.parts[1], Comparison) and node.parts[1].value == "x"
    assert parse_filter("   ") is None


def test_values_are_bound_never_pasted_into_sql(populated) -> None:  # type: ignore[no-untyped-def]
    hostile = "name = 'x'' OR 1=1 --'"
    assert populated.search_runs(hostile) == []
    assert populated.search_runs("tags.stage = 'prod''; DROP TABLE runs; --'") == []
    assert len(populated.search_runs()) == 5
