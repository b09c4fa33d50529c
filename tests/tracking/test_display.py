from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlops as mlops


@pytest.fixture
def runs(store_dir: Path):  # type: ignore[no-untyped-def]
    for lr in (0.1, 0.2):
        with mlops.start_run(name="<script>alert(1)</script>", params={"lr": lr, "note": "<b>x</b>"},
                             tags={"who": "a&b"}, store=store_dir):
            for step in range(5):
                mlops.log_metric("loss", lr / (step + 1))
    return mlops.get_store(store_dir).search_runs(order_by="params.lr")


def test_lists_of_runs_show_as_tables_with_user_text_escaped(runs) -> None:  # type: ignore[no-untyped-def]
    page = runs._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert page.count("<tr data-run-id=") == 2
    text = repr(runs)
    assert text.splitlines()[0].split()[:4] == ["id", "name", "experiment", "status"]
    assert "params.lr" in text and "metrics.loss" in text


def test_a_run_shows_as_a_card(runs) -> None:  # type: ignore[no-untyped-def]
    card = runs[0]._repr_html_()
    assert "&lt;script&gt;" in card and "<script>" not in card and "a&amp;b" in card
    assert repr(runs[0]).startswith(f"Run(id='{runs[0].id}'")


def test_plots_metric_histories(runs) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("plotly")
    figure = runs[0].plot("loss")
    [trace] = figure.data
    assert list(trace.x) == [0, 1, 2, 3, 4] and trace.y[0] == pytest.approx(0.1)
    overlaid = runs.plot("loss")
    assert len(overlaid.data) == 2
    with pytest.raises(TypeError, match="name the metric"):
        runs.plot()
