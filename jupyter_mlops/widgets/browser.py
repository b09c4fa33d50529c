"""``RunBrowser``: the runs of a store in a notebook, for any front end that renders ipywidgets.

Experiment and filter at the top, one sortable page of runs, paging, then the detail view of
the run opened and the comparison of the runs ticked. While a shown run is running the
browser refreshes itself; with nothing running it does no work at all.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import FilterSyntaxError, InvalidInput, MlopsError
from ..render import html as h
from ..render.text import runs_table
from .compare import RunCompare
from .detail import RunDetail
from .live import DEFAULT_INTERVAL, LiveRefresher
from .model import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    Column,
    Page,
    Query,
    choose_columns,
    fetch_page,
    resolve_store,
)
from .models import ModelsPanel
from .query_bar import QueryBar
from .table import Pager, RunsTable
from .tree import descendants

if TYPE_CHECKING:
    from ..store.sqlstore import Store

DETAIL_TAB, COMPARE_TAB, MODELS_TAB = 0, 1, 2


class RunBrowser(w.VBox):
    """Browse, inspect, compare and re-run the runs of a store.

    ``experiment`` and ``filter`` (the filter language, e.g. ``metrics.acc >= 0.9``) set what
    is shown first; ``store`` is a store location or :class:`Store` (default: this project's).
    """

    def __init__(
        self,
        experiment: str | None = None,
        filter: str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        refresh_interval: float = DEFAULT_INTERVAL,
    ) -> None:
        if page_size not in PAGE_SIZES:
            raise InvalidInput(
                f"page_size must be one of {', '.join(map(str, PAGE_SIZES))}, got {page_size!r}"
            )
        self.store = resolve_store(store)
        self._lock = threading.RLock()
        self._closed = False
        self.query = Query(
            experiment=experiment, filter=(filter or "").strip(), page_size=page_size
        )
        self.page = Page([], 0, self.query)
        self.selected: dict[str, None] = {}  # run ids, in the order they were ticked

        self.bar = QueryBar(self.query.filter, on_change=self._query_changed, lock=self._lock)
        bar = self.bar  # its controls, as the browser's own attributes
        self.experiment, self.filter_box, self.sort, self.direction = (
            bar.experiment, bar.filter_box, bar.sort, bar.direction)
        self.refresh_button, self.models_button = bar.refresh_button, bar.models_button
        self.filter_error = w.HTML("")
        self._error_text = ""
        self.table = RunsTable(on_sort=self.sort_by, on_open=self.open_run, on_select=self.select)
        self.pager = Pager(
            PAGE_SIZES, page_size, on_page=self.go_to_page, on_page_size=self._page_size_changed
        )
        self.selection_label = w.HTML("")
        self.compare_button = w.Button(
            description="compare selected",
            icon="columns",
            disabled=True,
            layout=w.Layout(width="auto"),
        )
        self.clear_button = w.Button(
            description="clear selection", disabled=True, layout=w.Layout(width="auto")
        )
        self.detail = RunDetail(self.store, on_rerun_started=self._rerun_started, lock=self._lock)
        self.detail.rerun.on_open(self.open_run)
        self.comparison = RunCompare(self.store, lock=self._lock)
        self.models = ModelsPanel(self.store, on_open_run=self.open_run)
        self.views = w.Tab(
            [self.detail, self.comparison, self.models],
            titles=("run", "compare", "models"),
            layout=w.Layout(display="none"),
        )
        self.status = w.HTML("")
        self._live = LiveRefresher(self._live_refresh, refresh_interval, on_error=self._live_failed)

        self.refresh_button.on_click(lambda _: self.refresh())
        self.compare_button.on_click(lambda _: self.compare_selected())
        self.clear_button.on_click(lambda _: self.clear_selection())
        self.models_button.on_click(lambda _: self.show_models())

        selection = w.HBox(
            [self.selection_label, self.compare_button, self.clear_button],
            layout=w.Layout(align_items="center"),
        )
        footer = w.HBox(
            [self.pager, selection],
            layout=w.Layout(justify_content="space-between", flex_flow="row wrap"),
        )
        super().__init__([self.bar, self.filter_error, self.table, footer, self.status, self.views])
        self.add_class("mlops-run-browser")
        self._update_experiments()
        self.refresh()

    # --- loading --------------------------------------------------------------------

    def refresh(self, query: Query | None = None) -> bool:
        """Load the page of ``query`` (default: the current one) and draw it. A bad filter is
        shown under the filter box and the table keeps what it showed; returns whether the
        page was loaded."""
        with self._lock:
            if self._closed:
                return False
            candidate = query or self.query
            try:
                page = fetch_page(self.store, candidate)
            except FilterSyntaxError as exc:
                self.filter_error.value = h.filter_error(exc)
                self._error_text = str(exc)
                self._sync_controls(self.page)
                return False
            except MlopsError as exc:
                self.filter_error.value = h.error(str(exc))
                self._error_text = str(exc)
                return False
            if page.query.filter == self.filter_box.value.strip():
                self.filter_error.value = ""  # else the box still holds a filter that failed
                self._error_text = ""
            self.query, self.page = page.query, page
            columns = choose_columns(page.runs, page.query.sort_field)
            self.table.show(page, columns, self.selected)
            self.pager.show(page)
            self._sync_controls(page, columns)
            if self.running:
                self._live.watch()
            return True

    @property
    def running(self) -> bool:
        """Whether some run the browser shows (page, detail, comparison, re-run) is running."""
        return (
            bool(self.page.running)
            or self.detail.running
            or self.comparison.running
            or self.detail.rerun.running
        )

    @property
    def live(self) -> LiveRefresher:
        return self._live

    def _live_refresh(self) -> bool:
        with self._lock:
            if self._closed:
                return False
            if self.detail.running:
                self.detail.refresh()
            if self.comparison.running:
                self.comparison.refresh()
            if self.detail.rerun.running:
                self.detail.rerun.refresh()
            self._update_experiments()
            self.refresh()
            return self.running

    def _live_failed(self, exc: Exception) -> None:
        with self._lock:
            self.status.value = h.error(f"live refresh stopped: {exc}; press refresh to try again")

    def _update_experiments(self) -> None:
        self.bar.show_experiments(self.store.experiments(), self.query.experiment)

    def _sync_controls(self, page: Page, columns: list[Column] | None = None) -> None:
        self.bar.show_query(page, columns if columns is not None else choose_columns(page.runs, page.query.sort_field))

    # --- user actions -----------------------------------------------------------------

    def sort_by(self, field: str) -> None:
        """Sort by ``field`` (a column header click: the same field again turns the order round)."""
        with self._lock:
            self.refresh(self.query.sorted_by(field))

    def go_to_page(self, page: int) -> None:
        with self._lock:
            self.refresh(self.query.with_changes(page=max(0, page)))

    def set_filter(self, text: str) -> bool:
        """Apply a filter (what typing it in the box and pressing Enter does)."""
        self.filter_box.value = text
        return self.filter_error.value == ""

    def select(self, run_id: str, selected: bool = True) -> None:
        """Tick (or untick) a run for comparison."""
        with self._lock:
            if selected:
                self.selected.setdefault(run_id, None)
            else:
                self.selected.pop(run_id, None)
            self._draw_selection()

    def clear_selection(self) -> None:
        with self._lock:
            self.selected.clear()
            self.table.set_selected(())
            self._draw_selection()

    def open_run(self, run_id: str) -> None:
        """Show the detail view of a run."""
        with self._lock:
            try:
                run = self.store.get_run(run_id)
            except MlopsError as exc:
                self.status.value = h.error(str(exc))
                return
            self.status.value = ""
            self.detail.show(run)
            self.views.layout.display = None
            self.views.selected_index = DETAIL_TAB
            if self.running:
                self._live.watch()

    def show_models(self) -> None:
        """Show the models tab: registered models, versions with their runs, aliases."""
        with self._lock:
            self.models.refresh()
            self.views.layout.display = None
            self.views.selected_index = MODELS_TAB

    def compare_selected(self) -> None:
        """Show the runs ticked (two or more) side by side."""
        with self._lock:
            ids = list(self.selected)
            try:
                runs = [self.store.get_run(run_id) for run_id in ids]
                self.comparison.show(runs)
            except MlopsError as exc:
                self.status.value = h.error(str(exc))
                return
            self.status.value = ""
            self.views.layout.display = None
            self.views.selected_index = COMPARE_TAB
            if self.running:
                self._live.watch()

    def _draw_selection(self) -> None:
        count = len(self.selected)
        self.selection_label.value = f"<span>{count} selected</span>" if count else ""
        self.compare_button.disabled = count < 2
        self.compare_button.tooltip = (
            "compare the ticked runs" if count >= 2 else "tick two or more runs to compare them"
        )
        self.clear_button.disabled = count == 0

    def _rerun_started(self, run_id: str) -> None:
        self.refresh()
        self._live.watch()

    # --- control events ---------------------------------------------------------------

    def _query_changed(self, **change: Any) -> None:
        """A change the user made in the query bar (the lock is held)."""
        field = change.get("sort_field")
        if "sort_field" in change:
            if field and field != self.query.sort_field:
                self.sort_by(field)
            return
        self.refresh(self.query.with_changes(**change))

    def _page_size_changed(self, size: int) -> None:
        with self._lock:
            self.refresh(self.query.with_changes(page_size=size, page=self.query.offset // size))

    # --- life cycle and plain-text display ---------------------------------------------

    def close(self) -> None:
        """Stop live refreshes and close every widget of the browser."""
        if not hasattr(self, "_live"):  # refused in __init__: nothing was built
            super().close()
            return
        with self._lock:
            self._closed = True
        self._live.stop()
        for widget in descendants(self):
            widget.close()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = self.text()
        return bundle

    def text(self) -> str:
        """The shown page as a plain-text table (for front ends without widgets)."""
        error = f"{self._error_text}\n" if self._error_text else ""
        return error + runs_table(self.page.runs) + self.page.label


def show_runs(
    filter: str | None = None,
    experiment: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> None:
    """Display a :class:`RunBrowser` in the notebook: what ``%runs [FILTER]`` does. (Create a
    ``RunBrowser`` yourself to keep a handle on it.)"""
    from IPython.display import display

    display(RunBrowser(experiment=experiment, filter=filter, store=store))
