"""Plotly charts follow the page's theme: the layout chosen from what the browser reported."""

from __future__ import annotations

import pytest

from jupyter_mlops.widgets.theme import follow_theme, theme_layout, theme_probe


def test_a_dark_page_gets_the_dark_template_with_its_own_colours() -> None:
    layout = theme_layout(
        {"dark": True, "background": "#111", "text": "rgba(255, 255, 255, 0.87)", "grid": "#424242"}
    )
    assert layout["template"] == "plotly_dark"
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "#111"
    assert layout["font"] == {"color": "rgba(255, 255, 255, 0.87)"}
    assert layout["yaxis"]["gridcolor"] == "#424242"


def test_a_page_without_theme_variables_still_gets_a_template() -> None:
    assert theme_layout({}) == {"template": "plotly_white"}
    assert theme_layout({"dark": False, "background": ""}) == {"template": "plotly_white"}


def test_a_chart_takes_the_theme_and_follows_its_changes() -> None:
    go = pytest.importorskip("plotly.graph_objects")
    pytest.importorskip("anywidget")
    probe = theme_probe()
    probe.theme = {"dark": True, "background": "#111", "text": "#eee", "grid": "#333"}
    figure = go.FigureWidget()
    follow_theme(figure, probe)
    assert figure.layout.paper_bgcolor == "#111"
    assert figure.layout.font.color == "#eee"
    assert figure.layout.template.layout.paper_bgcolor == "rgb(17,17,17)"  # plotly_dark's
    probe.theme = {"dark": False, "background": "white", "text": "#222", "grid": "#ddd"}
    assert figure.layout.paper_bgcolor == figure.layout.plot_bgcolor == "white"
    assert figure.layout.font.color == "#222"
    assert figure.layout.yaxis.gridcolor == "#ddd"
