"""Closing widgets for good: a widget, everything inside it, and their layout and style models."""

from __future__ import annotations

import ipywidgets as w


def descendants(widget: w.Widget) -> list[w.Widget]:
    """Every widget inside ``widget`` (children first), with the layout and style of each."""
    found: list[w.Widget] = []
    for child in getattr(widget, "children", ()):
        found.extend(descendants(child))
        found.append(child)
    for part in ("layout", "style"):
        value = getattr(widget, part, None)
        if isinstance(value, w.Widget):
            found.append(value)
    return found


def close_tree(widget: w.Widget) -> None:
    """Close ``widget`` and every widget inside it (their front-end models go away too)."""
    for inner in descendants(widget):
        inner.close()
    widget.close()
