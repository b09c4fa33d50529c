"""The run browser's query bar: which experiment, which filter, which order, and the refresh
and models buttons.

The bar only reports what the user changed (``on_change`` with the query fields changed);
the browser decides what to load. While the browser sets the controls to what it shows
(:meth:`QueryBar.show_query`, :meth:`QueryBar.show_experiments`), their change events are
not user actions and are not reported. The browser's lock is taken first, so a change the
browser makes itself (maybe on the live thread) is never mistaken for a user's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import ipywidgets as w

from .model import ID_COLUMN, Column, Page

ALL_EXPERIMENTS = "all experiments"
_ALL = ""  # the dropdown's value for all experiments (a Dropdown shows None as no choice)
FILTER_PLACEHOLDER = "e.g. params.lr = 0.1 and metrics.acc >= 0.9 (Enter to apply)"


class QueryBar(w.HBox):
    """Experiment, filter, sort field and direction; ``on_change`` gets ``experiment``,
    ``filter``, ``sort_field`` or ``descending`` with its new value."""

    def __init__(self, query_filter: str, on_change: Callable[..., None], lock: threading.RLock) -> None:
        self._on_change = on_change
        self._lock = lock
        self._syncing = False
        self.experiment = w.Dropdown(description="experiment", options=[(ALL_EXPERIMENTS, _ALL)], value=_ALL,
                                     layout=w.Layout(width="260px", max_width="100%"))
        self.filter_box = w.Text(value=query_filter, placeholder=FILTER_PLACEHOLDER, description="filter",
                                 continuous_update=False,
                                 layout=w.Layout(flex="1 1 auto", min_width="240px", max_width="100%"))
        self.sort = w.Dropdown(description="sort", options=[], layout=w.Layout(width="240px", max_width="100%"))
        self.direction = w.ToggleButtons(
            options=[("desc", True), ("asc", False)],
            value=True,
            tooltips=["largest / newest first", "smallest / oldest first"],
            style={"button_width": "64px"},
        )
        self.refresh_button = w.Button(icon="refresh", tooltip="refresh", layout=w.Layout(width="36px"))
        self.models_button = w.Button(description="models", icon="cubes", layout=w.Layout(width="auto"))
        self.experiment.observe(lambda c: self._changed(experiment=c["new"] or None), names="value")
        self.filter_box.observe(lambda c: self._changed(filter=str(c["new"]).strip()), names="value")
        self.sort.observe(lambda c: self._changed(sort_field=c["new"]), names="value")
        self.direction.observe(lambda c: self._changed(descending=bool(c["new"])), names="value")
        super().__init__(
            [self.experiment, self.filter_box, self.sort, self.direction, self.refresh_button, self.models_button],
            layout=w.Layout(flex_flow="row wrap", align_items="center", max_width="100%"),
        )
        self.add_class("mlops-query-bar")

    def _changed(self, **change: Any) -> None:
        with self._lock:
            if not self._syncing:
                self._on_change(**change)

    @contextlib.contextmanager
    def _setting(self) -> Iterator[None]:
        before, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = before

    def show_experiments(self, names: Sequence[str], current: str | None) -> None:
        """Offer every experiment of the store (and ``current``, even when it has no run yet)."""
        if current is not None and current not in names:
            names = sorted([*names, current])
        options = [(ALL_EXPERIMENTS, _ALL), *((name, name) for name in names)]
        with self._setting():
            if list(self.experiment.options) != options:
                self.experiment.options = options
            self.experiment.value = current or _ALL

    def show_query(self, page: Page, columns: list[Column]) -> None:
        """Set the sort, direction and experiment controls to what ``page`` shows."""
        query = page.query
        options = [(c.label, c.order_field) for c in (*columns, ID_COLUMN) if c.order_field]
        if query.sort_field not in [field for _, field in options]:
            options.append((query.sort_field, query.sort_field))
        with self._setting():
            if list(self.sort.options) != options:
                self.sort.options = options
            self.sort.value = query.sort_field
            self.direction.value = query.descending
            self.experiment.value = query.experiment or _ALL


__all__ = ["ALL_EXPERIMENTS", "FILTER_PLACEHOLDER", "QueryBar"]
