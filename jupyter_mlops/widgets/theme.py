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


def theme_layout(theme: dict[str, Any]) -> dict[str, Any]:
    """The plotly layout changes for a theme as the browser reported it (``dark``, and the
    page's ``background``, ``text`` and ``grid`` colours when it has them)."""
    layout: dict[str, Any] = {"template": DARK_TEMPLATE if theme.get("dark") else LIGHT_TEMPLATE}
    background, text, grid = (str(theme.get(key) or "") for key in ("background", "text", "grid"))
    if background:
        layout["paper_bgcolor"] = background
        layout["plot_bgcolor"] = background
    if text:
        layout["font"] = {"color": text}
    if grid:
        layout["xaxis"] = {"gridcolor": grid, "zerolinecolor": grid}
        layout["yaxis"] = {"gridcolor": grid, "zerolinecolor": grid}
    return layout


def theme_follower(figure: Any) -> Any:
    """A hidden widget to display beside ``figure`` that restyles it for the page's theme, now
    and after every theme change (an ``anywidget``, which plotly's ``FigureWidget`` needs too)."""
    import anywidget
    import traitlets

    class ThemeProbe(anywidget.AnyWidget):  # type: ignore[misc]
        _esm = THEME_ESM
        theme = traitlets.Dict({}).tag(sync=True)

    probe = ThemeProbe()
    probe.add_class("mlops-theme-probe")

    def restyle(change: dict[str, Any]) -> None:
        with figure.batch_update():
            figure.update_layout(**theme_layout(change["new"]))

    probe.observe(restyle, names="theme")
    return probe


__all__ = ["theme_follower", "theme_layout"]
