"""``jupyter mlops runs`` with filters and orders past the parser's limits: exit 2 and one line
naming the limit and the position, no traceback; nothing in the store changes."""

from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.store.filter_limits import MAX_DEPTH, MAX_ORDER_KEYS


@pytest.fixture
def one_run(store_dir: Path) -> Path:
    with mlops.start_run(name="kept", params={"lr": 0.1}, store=store_dir):
        mlops.log_metric("acc", 0.9)
    return store_dir


@pytest.mark.parametrize(
    ("option", "text", "limit"),
    [
        ("--filter", "(" * 10_000 + "name = 'kept'" + ")" * 10_000, f"more than {MAX_DEPTH} deep"),
        ("--filter", "not " * 1000 + "name = 'kept'", f"more than {MAX_DEPTH} deep"),
        ("--filter", "params.lr = " + "9" * 400, "whole number out of range"),
        ("--filter", " or ".join(["params.lr = 1"] * 1000), "comparisons"),
        ("--order-by", ", ".join(f"params.p{i}" for i in range(600)), f"more than {MAX_ORDER_KEYS} order keys"),
    ],
)
def test_a_filter_past_the_limits_exits_2_with_one_line(
    one_run: Path, capsys: pytest.CaptureFixture[str], option: str, text: str, limit: str
) -> None:
    assert main(["runs", "--store", str(one_run), option, text]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jupyter mlops runs: error: ")
    assert limit in lines[0] and "at position " in lines[0] and "Traceback" not in captured.err
    assert len(lines[0]) < 500  # the text is quoted near the position only
    assert main(["runs", "--store", str(one_run), "--format", "json", "--filter", "name = 'kept'"]) == 0
    assert '"kept"' in capsys.readouterr().out
