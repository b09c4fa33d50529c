"""The runs table: a grid of one page of runs with sortable headers and selection boxes.

Only one page of rows is ever built. The cell widgets are kept and reused from page to page
(and from refresh to refresh), so paging and live refreshes send only the values that changed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ipywidgets as w

from ..render import html as h
from .model import ID_COLUMN, Column, Page, cell_text

if TYPE_CHECKING:
    from ..store.entities import Run

_TAG = re.compile(r"<[^>]+>")
SORT_UP = " ▲"
SORT_DOWN = " ▼"


@dataclass
class _Row:
    select: w.Checkbox
    open: w.Button
    cells: list[w.HTML] = field(default_factory=list)


def _cell_html(run: Run, column: Column, value: str) -> str:
    if column.key == "status":
        return h.status_badge(run.status) + h.reproduced_badge(run.tags)
    return f'<span title="{h.text(value)}" style="white-space:nowrap">{h.text(value)}</span>'


class RunsTable(w.VBox):
    """One page of runs. Clicking a sortable header calls ``on_sort(field)``; the run id button
    calls ``on_open(run_id)``; ticking a box calls ``on_select(run_id, selected)``."""

    def __init__(
        self,
        on_sort: Callable[[str], None],
        on_open: Callable[[str], None],
        on_select: Callable[[str, bool], None],
    ) -> None:
        self._on_sort = on_sort
        self._on_open = on_open
        self._on_select = on_select
        self._rows: list[_Row] = []
        self._headers: list[w.Button] = []
        self._columns: list[Column] = []
        self._run_ids: list[str] = []
        self._drawing = False
        self._corner = w.HTML("")
        self.grid = w.GridBox(
            layout=w.Layout(
                grid_gap="0px 6px", align_items="center", overflow="auto", max_height="560px"
            )
        )
        self.grid.add_class("mlops-runs-grid")
        self.message = w.HTML("")
        super().__init__([self.grid, self.message])
        self.add_class("mlops-runs-table")

    # --- drawing ------------------------------------------------------------------

    def show(self, page: Page, columns: list[Column], selected: Collection[str]) -> None:
        """Draw ``page`` with ``columns``, ticking the runs in ``selected``."""
        self._drawing = True
        try:
            self._columns = [ID_COLUMN, *columns]
            self._run_ids = [run.id for run in page.runs]
            headers = self._draw_headers(page.query.sort_field, page.query.descending)
            children: list[w.Widget] = [self._corner, *headers]
            for index, run in enumerate(page.runs):
                row = self._row(index)
                row.select.value = run.id in selected
                row.open.description = run.id
                row.open.tooltip = f"show run {run.id} ({run.name})"
                while len(row.cells) < len(columns):
                    row.cells.append(w.HTML(""))
                for cell, column in zip(row.cells, columns, strict=False):
                    cell.value = _cell_html(run, column, cell_text(run, column))
                children += [row.select, row.open, *row.cells[: len(columns)]]
            template = f"repeat({len(self._columns) + 1}, max-content)"
            if self.grid.layout.grid_template_columns != template:
                self.grid.layout.grid_template_columns = template
            if tuple(self.grid.children) != tuple(children):
                self.grid.children = children
            self.message.value = (
                ""
                if page.runs
                else h.empty(
                    "No runs match."
                    if page.query.filter or page.query.experiment
                    else "No runs yet: track a cell with %%track, or run a notebook with `jupyter mlops run`."
                )
            )
        finally:
            self._drawing = False

    def set_selected(self, selected: Collection[str]) -> None:
        """Tick exactly the shown runs that are in ``selected``."""
        self._drawing = True
        try:
            for row, run_id in zip(self._rows, self._run_ids, strict=False):
                row.select.value = run_id in selected
        finally:
            self._drawing = False

    def _draw_headers(self, sort_field: str, descending: bool) -> list[w.Button]:
        while len(self._headers) < len(self._columns):
            button = w.Button(layout=w.Layout(width="auto", margin="0"))
            button.add_class("mlops-sort-header")
            button.on_click(self._header_clicked(len(self._headers)))
            self._headers.append(button)
        headers = self._headers[: len(self._columns)]
        for button, column in zip(headers, self._columns, strict=True):
            arrow = ""
            if column.order_field is not None and column.order_field == sort_field:
                arrow = SORT_DOWN if descending else SORT_UP
            button.description = column.label + arrow
            button.disabled = column.order_field is None
            button.tooltip = (
                f"sort by {column.order_field}"
                if column.order_field
                else "this key cannot be sorted by (it holds a backtick)"
            )
            button.button_style = "info" if arrow else ""
        return headers

    def _row(self, index: int) -> _Row:
        while len(self._rows) <= index:
            position = len(self._rows)
            select = w.Checkbox(
                value=False, indent=False, description="", layout=w.Layout(width="24px", margin="0")
            )
            select.add_class("mlops-select")
            select.observe(self._select_changed(position), names="value")
            opener = w.Button(layout=w.Layout(width="auto", margin="0"))
            opener.add_class("mlops-open-run")
            opener.on_click(self._open_clicked(position))
            self._rows.append(_Row(select, opener))
        return self._rows[index]

    # --- events -------------------------------------------------------------------

    def _header_clicked(self, index: int) -> Callable[[w.Button], None]:
        def clicked(_: w.Button) -> None:
            column = self._columns[index]
            if column.order_field is not None:
                self._on_sort(column.order_field)

        return clicked

    def _open_clicked(self, index: int) -> Callable[[w.Button], None]:
        def clicked(_: w.Button) -> None:
            if index < len(self._run_ids):
                self._on_open(self._run_ids[index])

        return clicked

    def _select_changed(self, index: int) -> Callable[[dict[str, object]], None]:
        def changed(change: dict[str, object]) -> None:
            if not self._drawing and index < len(self._run_ids):
                self._on_select(self._run_ids[index], bool(change["new"]))

        return changed

    # --- reading (tests, text front ends) -------------------------------------------

    @property
    def header_labels(self) -> list[str]:
        return [button.description for button in self._headers[: len(self._columns)]]

    @property
    def shown_run_ids(self) -> list[str]:
        return list(self._run_ids)

    def ticked_run_ids(self) -> list[str]:
        return [
            run_id
            for row, run_id in zip(self._rows, self._run_ids, strict=False)
            if row.select.value
        ]

    def row_texts(self) -> list[list[str]]:
        """The text of each shown row's cells, id first (markup stripped)."""
        rows = []
        for row, _ in zip(self._rows, self._run_ids, strict=False):
            texts = [row.open.description]
            for cell in row.cells[: len(self._columns) - 1]:
                texts.append(html.unescape(_TAG.sub("", cell.value)))
            rows.append(texts)
        return rows

    def click_header(self, label: str) -> None:
        """Click the header of the column named ``label`` (as a user would)."""
        for button, column in zip(self._headers, self._columns, strict=False):
            if column.label == label:
                button.click()
                return
        raise KeyError(f"no column {label!r}; the columns are {[c.label for c in self._columns]}")

    def select_row(self, index: int, selected: bool = True) -> None:
        self._rows[index].select.value = selected

    def open_row(self, index: int) -> None:
        self._rows[index].open.click()


class Pager(w.HBox):
    """Previous / next buttons, the "21–40 of 10,000" label and the page size."""

    def __init__(
        self,
        page_sizes: tuple[int, ...],
        page_size: int,
        on_page: Callable[[int], None],
        on_page_size: Callable[[int], None],
    ) -> None:
        self._on_page = on_page
        self._page = 0
        self.previous = w.Button(
            description="◀ previous",
            layout=w.Layout(width="auto"),
            tooltip="previous page",
            disabled=True,
        )
        self.next = w.Button(
            description="next ▶", layout=w.Layout(width="auto"), tooltip="next page", disabled=True
        )
        self.label = w.HTML("")
        self.size = w.Dropdown(
            options=[(f"{n} a page", n) for n in page_sizes],
            value=page_size,
            layout=w.Layout(width="120px"),
        )
        self.previous.on_click(lambda _: self._on_page(self._page - 1))
        self.next.on_click(lambda _: self._on_page(self._page + 1))
        self.size.observe(lambda change: on_page_size(int(change["new"])), names="value")
        super().__init__(
            [self.previous, self.label, self.next, self.size], layout=w.Layout(align_items="center")
        )
        self.add_class("mlops-pager")

    def show(self, page: Page) -> None:
        self._page = page.query.page
        self.previous.disabled = not page.has_previous
        self.next.disabled = not page.has_next
        self.label.value = f'<span class="mlops-page-label">{h.text(page.label)}</span>'
