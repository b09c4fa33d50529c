"""``%%track --controls``: controls for a cell's literal params, each Run a tracked run.

Executing the cell shows the panel; nothing runs until Run is pressed. A press runs the
cell's code, with the controls' values written over its literals, in the user namespace
through the same path as ``%%track`` (params, snapshot, execution record, environment and
system metrics alike); the execution record ends with the code the press ran.

Headless (see :mod:`.headless`) there are no controls: the cell runs once, as ``%%track``
would, with its own values, or those the runner injected for its params.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from ..capture.cellrun import TrackOptions, current_execution_count
from ..errors import InvalidInput, MlopsError
from ..render import html as h
from .headless import headless_reason, injected_values
from .kinds import ControlSpec, parse_choices, spec_for_literal
from .panel import PANEL_TAG, ControlPanel, new_panel_key, runs_of_panel
from .source import CellParams, read_cell, substitute


def cell_specs(
    cell: CellParams, skip: tuple[str, ...] = ()
) -> tuple[list[ControlSpec], dict[str, str], list[str]]:
    """The controls of a cell's literals, the names that get none (and why), and warnings
    about ``# choices:`` comments that could not be read. Names in ``skip`` (``--metric``
    variables) are left out altogether."""
    specs: list[ControlSpec] = []
    notes = {name: why for name, why in cell.not_controllable.items() if name not in skip}
    warnings: list[str] = []
    for name, literal in cell.literals.items():
        if name in skip:
            continue
        choices = None
        if literal.choices_comment is not None:
            try:
                choices = parse_choices(literal.choices_comment, literal.value)
            except InvalidInput as exc:
                warnings.append(f"{name}: {exc}; it gets a plain control")
        try:
            spec = spec_for_literal(name, literal.value, choices)
        except InvalidInput as exc:
            notes[name] = str(exc)
            continue
        if choices is not None and literal.value not in choices:
            warnings.append(
                f"{name}: its value {literal.value!r} is not among its choices; it was added to them"
            )
        specs.append(spec)
    return specs, notes, warnings


class CellExecutor:
    """Runs the cell with given values as one ``%%track`` run tagged with the panel's key."""

    def __init__(
        self, shell: Any, cell: CellParams, options: TrackOptions, line: str, key: str
    ) -> None:
        self.shell = shell
        self.cell = cell
        self.key = key
        self.options = dataclasses.replace(options, tags={**options.tags, PANEL_TAG: key})
        self.magic_line = f"%%track {line.strip()}".rstrip()
        self.execution_count = current_execution_count(shell, [])

    def __call__(self, values: dict[str, Any]) -> str | None:
        __tracebackhide__ = True
        from ..capture.cell_exec import run_tracked_cell
        from ..tracking import get_store

        source = substitute(self.cell, values)
        try:
            store = get_store()
            known = {run.id for run in runs_of_panel(store, self.key)}
        except MlopsError:  # the store cannot be used: the cell runs untracked, as %%track warns
            store, known = None, set()
        run_id = None
        try:
            run_tracked_cell(self.shell, source, self.options)
        finally:
            if store is not None:
                run_id = self._new_run(store, known)
                if run_id is not None:
                    self._record_press(store, run_id, source)
        return run_id

    def _new_run(self, store: Any, known: set[str]) -> str | None:
        try:
            return next(
                (r.id for r in runs_of_panel(store, self.key, limit=5) if r.id not in known), None
            )
        except MlopsError:
            return None

    def _record_press(self, store: Any, run_id: str, source: str) -> None:
        """End the run's execution record with the code this press ran."""
        from ..capture.execution import source_hash
        from ..store.entities import ExecutedCell

        try:
            record = store.execution_record(run_id)
            ran = f"{self.magic_line}\n{source}"
            record.append(
                ExecutedCell(
                    position=len(record),
                    execution_count=self.execution_count,
                    source_hash=source_hash(ran),
                    source=ran,
                    out_of_order=False,
                    stale=False,
                )
            )
            store.set_execution_record(run_id, record)
        except MlopsError as exc:
            print(
                f"jupyter-mlops: the execution record of run {run_id} lacks this press: {exc}",
                file=sys.stderr,
            )


def track_with_controls(
    shell: Any, cell: str, options: TrackOptions, line: str
) -> ControlPanel | None:
    """What ``%%track --controls`` does with its cell: the panel, or (headless) one run.

    A cell that does not parse gets no panel: it runs as ``%%track`` runs it, which shows
    (and records) its syntax error."""
    __tracebackhide__ = True
    from ..capture.cell_exec import run_tracked_cell

    params = read_cell(cell, getattr(shell, "transform_cell", None))
    if params.syntax_error is not None:
        run_tracked_cell(shell, cell, options)
        return None
    reason = headless_reason(shell)
    if reason is not None:
        run_tracked_cell(shell, headless_source(params, options, reason), options)
        return None
    specs, notes, warnings = cell_specs(params, options.metrics)
    key = new_panel_key()
    title = (
        "<b>controls</b> · each Run is a new tracked run of this cell with these values"
        if specs
        else "<b>controls</b> · this cell has no literal params to control; Run runs it as it is"
    )
    panel = ControlPanel(
        specs,
        title=f'<div class="mlops-controls-title">{title}</div>',
        notes=notes,
        warnings=warnings,
        executor=CellExecutor(shell, params, options, line, key),
        first_metrics=options.metrics,
        key=key,
    )
    if not specs:
        panel.message.value = h.empty(
            "assign literals (lr = 0.1) at the top level of the cell to get controls"
        )
    return panel


def headless_source(params: CellParams, options: TrackOptions, reason: str) -> str:
    """The cell as a headless run executes it: with the values the runner injected for its
    params (if any), else as it is."""
    specs, _, _ = cell_specs(params, options.metrics)
    try:
        injected = injected_values(specs)
    except MlopsError as exc:
        print(
            f"jupyter-mlops: the injected values cannot be read ({exc}); the cell runs with its own",
            file=sys.stderr,
        )
        injected = {}
    if not options.quiet:
        how = "its own values"
        if injected:
            shown = ", ".join(f"{name}={value!r}" for name, value in injected.items())
            how = f"the injected {shown} and its own other values"
        print(f"controls not shown: {reason}; the cell runs with {how}")
    return substitute(params, injected) if injected else params.source


__all__ = ["CellExecutor", "cell_specs", "headless_source", "track_with_controls"]
