"""Vega-Lite specs drawn as SVG by vl-convert: charts for reports, with no browser or Node.

vl-convert embeds the Vega and Vega-Lite JavaScript libraries in a Rust binary; its first
conversion in a process starts that engine (the slow part), later ones reuse it.
"""

from __future__ import annotations

from typing import Any

from ..errors import MissingDependency


def spec_to_svg(spec: dict[str, Any]) -> str:
    """The SVG text of a Vega-Lite ``spec`` (with its data inline)."""
    try:
        import vl_convert
    except ImportError:
        raise MissingDependency("charts in reports need vl-convert-python: "
                                "`pip install 'jupyter-mlops[report]'` (or vl-convert-python)") from None
    return str(vl_convert.vegalite_to_svg(spec))


__all__ = ["spec_to_svg"]
