"""The compact table of the runs made from a control panel: one row a run, its params and last
metrics, the best value of each metric highlighted. A failed run says so, with its error.
The run id button of a row puts that run's values back into the controls."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import ipywidgets as w

from ..compare.direction import lower_is_better
from ..render import html as h
from ..render.palette import ADDED_BACKGROUND, ERROR
from ..render.text import format_value
from .panel_model import best_run_ids

if TYPE_CHECKING:
    from ..store.entities import Run

BEST_STYLE = f"background:{ADDED_BACKGROUND};font-weight:700;padding:0 3px;border-radius:3px"
_TAG = re.compile(r"<[^>]+>")


def status_html(run: Run) -> str:
    text = h.status_badge(run.status)
    if run.error:
        message = f"{run.error.get('ename', 'error')}: {run.error.get('evalue', '')}".strip()
        text += (
            f'<div class="mlops-controls-error" style="color:{ERROR};font-size:11px;max-width:360px;'
            f'white-space:normal" title="{h.text(message)}">{h.text(message)}</div>'
        )
    return text


def value_html(value: object, best: bool = False, title: str = "") -> str:
    text = h.text(format_value(value))
    if best:
        return (
            f'<span class="mlops-best" style="{BEST_STYLE}" title="{h.text(title)}">{text}</span>'
        )
    return f'<span style="white-space:nowrap">{text}</span>'


class PanelRunsTable(w.VBox):
    """Runs newest first; ``on_restore(run_id)`` is called by a row's run id button."""

    def __init__(self, on_restore: Callable[[str], None]) -> None:
        self._on_restore = on_restore
        self._buttons: list[w.Button] = []
        self._cells: dict[
            tuple[int, int], w.HTML
        ] = {}  # reused by position: refreshes send only changes
        self.run_ids: list[str] = []
        self.header: list[str] = []
        self.grid = w.GridBox(
            layout=w.Layout(
                grid_gap="2px 10px", align_items="center", overflow="auto", max_height="260px"
            )
        )
        self.grid.add_class("mlops-controls-runs")
        self.message = w.HTML(h.empty("No runs yet: press Run."))
        super().__init__([self.grid, self.message])
        self.add_class("mlops-controls-table")

    def show(self, runs: Sequence[Run], params: Sequence[str], metrics: Sequence[str]) -> None:
        self.run_ids = [run.id for run in runs]
        self.header = ["run", "status", *params, *metrics]
        best = {key: best_run_ids(runs, key) for key in metrics}
        cells: list[w.Widget] = [
            self._cell(0, i, f"<b>{h.text(label)}</b>") for i, label in enumerate(self.header)
        ]
        columns = len(self.header)
        for row, run in enumerate(runs, start=1):
            button = self._button(row - 1)
            button.description = run.id
            button.tooltip = f"put the values of run {run.id} back into the controls"
            values = [status_html(run)]
            values += [
                value_html(run.params[name]) if name in run.params else "" for name in params
            ]
            for key in metrics:
                if key not in run.metrics:
                    values.append("")
                    continue
                how = "lowest" if lower_is_better(key) else "highest"
                values.append(
                    value_html(run.metrics[key], run.id in best[key], f"best {key} ({how})")
                )
            cells.append(button)
            cells += [self._cell(row, i + 1, value) for i, value in enumerate(values)]
        template = f"repeat({columns}, max-content)"
        if self.grid.layout.grid_template_columns != template:
            self.grid.layout.grid_template_columns = template
        if tuple(self.grid.children) != tuple(cells):
            self.grid.children = cells
        self.message.value = "" if runs else h.empty("No runs yet: press Run.")

    def _cell(self, row: int, column: int, value: str) -> w.HTML:
        cell = self._cells.get((row, column))
        if cell is None:
            cell = self._cells[row, column] = w.HTML("")
        if cell.value != value:
            cell.value = value
        return cell

    def _button(self, index: int) -> w.Button:
        while len(self._buttons) <= index:
            position = len(self._buttons)
            button = w.Button(layout=w.Layout(width="auto", margin="0"))
            button.add_class("mlops-controls-restore")
            button.on_click(self._clicked(position))
            self._buttons.append(button)
        return self._buttons[index]

    def _clicked(self, index: int) -> Callable[[w.Button], None]:
        def clicked(_: w.Button) -> None:
            if index < len(self.run_ids):
                self._on_restore(self.run_ids[index])

        return clicked

    # --- reading (tests, text front ends) ---------------------------------------------

    def rows(self) -> list[dict[str, str]]:
        """Each shown row as header -> text (markup stripped)."""
        columns = len(self.header)
        if not columns:
            return []
        children = list(self.grid.children)[columns:]
        rows = []
        for start in range(0, len(children), columns):
            texts = [children[start].description]
            texts += [
                html.unescape(_TAG.sub(" ", cell.value)).strip()
                for cell in children[start + 1 : start + columns]
            ]
            rows.append(dict(zip(self.header, [" ".join(t.split()) for t in texts], strict=True)))
        return rows

    def best_cells(self) -> list[tuple[str, str]]:
        """(run id, column) of every highlighted value."""
        columns = len(self.header)
        children = list(self.grid.children)[columns:]
        found = []
        for start in range(0, len(children), columns or 1):
            for offset, cell in enumerate(children[start + 1 : start + columns], start=1):
                if "mlops-best" in cell.value:
                    found.append((children[start].description, self.header[offset]))
        return found

    def click(self, run_id: str) -> None:
        """Click the row of ``run_id`` (as a user would)."""
        self._buttons[self.run_ids.index(run_id)].click()


__all__ = ["PanelRunsTable", "status_html", "value_html"]
