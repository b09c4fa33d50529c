"""Plotly charts that follow the front end's theme (JupyterLab light or dark, or any theme that
sets JupyterLab's CSS variables).

The kernel cannot see the page, so a small widget shown next to the chart reads the theme in
the browser (``data-jp-theme-light`` and the ``--jp-*`` colours of the page) and keeps telling
the kernel when it changes; the chart then takes the matching plotly template, with the
page's own background and text colours laid over it."""

from __future__ import annotations

from typing import Any

# anywidget's front-end module: report the theme now and whenever the page's theme changes
THEME_ESM = """
function read() {
  const body = document.body;
  const style = getComputedStyle(body);
  const css = name => style.getPropertyValue(name).trim();
  return {
    dark: body.dataset.jpThemeLight === 'false',
    background: css('--jp-layout-color0'),
    text: css('--jp-ui-font-color1'),
    grid: css('--jp-border-color2'),
  };
}
function render({ model, el }) {
  el.style.display = 'none';
  const send = () => {
    const theme = read();
    if (JSON.stringify(theme) !== JSON.stringify(model.get('theme'))) {
      model.set('theme', theme);
      model.save_changes();
    }
  };
  send();
  const observer = new MutationObserver(send);
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  return () => observer.disconnect();
}
export default { render };
"""

LIGHT_TEMPLATE = "plotly_white"
DARK_TEMPLATE = "plotly_dark"


def theme_template(theme: dict[str, Any]) -> str:
    """The plotly template for a theme as the browser reported it (``{}``: not known yet)."""
    return DARK_TEMPLATE if theme.get("dark") else LIGHT_TEMPLATE


def theme_colours(theme: dict[str, Any]) -> dict[str, Any]:
    """Layout colours from the page's ``background``, ``text`` and ``grid``: laid over the
    template, and all a drawn chart needs to follow a later theme change (a template sent to a
    chart already on screen is not redrawn by plotly's widget)."""
    background, text, grid = (str(theme.get(key) or "") for key in ("background", "text", "grid"))
    layout: dict[str, Any] = {}
    if background:
        layout["paper_bgcolor"] = background
        layout["plot_bgcolor"] = background
    if text:
        layout["font"] = {"color": text}
    if grid:
        axis = {"gridcolor": grid, "zerolinecolor": grid, "linecolor": grid}
        layout["xaxis"] = axis
        layout["yaxis"] = dict(axis)
    return layout


def theme_layout(theme: dict[str, Any]) -> dict[str, Any]:
    """The layout of a new chart for a theme: its template and the page's colours."""
    return {"template": theme_template(theme), **theme_colours(theme)}


def theme_probe() -> Any:
    """A hidden widget whose ``theme`` trait (``dark``, ``background``, ``text``, ``grid``)
    follows the page's theme once it is displayed (an ``anywidget``, which plotly's
    ``FigureWidget`` needs too)."""
    import anywidget
    import traitlets

    class ThemeProbe(anywidget.AnyWidget):  # type: ignore[misc]
        _esm = THEME_ESM
        theme = traitlets.Dict({}).tag(sync=True)

    probe = ThemeProbe()
    probe.add_class("mlops-theme-probe")
    return probe


def follow_theme(figure: Any, probe: Any) -> None:
    """Style ``figure`` for the probe's theme now, and again at every theme change."""
    if probe.theme:
        figure.update_layout(**theme_layout(probe.theme))

    def restyle(change: dict[str, Any]) -> None:
        with figure.batch_update():
            figure.update_layout(**theme_colours(change["new"]))

    probe.observe(restyle, names="theme")


__all__ = ["follow_theme", "theme_colours", "theme_layout", "theme_probe", "theme_template"]
