"""The one cell matcher: papermill's own cells left out, every cell of both notebooks placed once,
outputs compared, and snapshots that are not notebooks refused with a clear error."""

from __future__ import annotations

import json
import random

import pytest

from jupyter_mlops.compare import diff_snapshots, match_cells, notebook_cells
from jupyter_mlops.compare.cells import NotebookCell
from jupyter_mlops.compare.render import cell_text
from jupyter_mlops.errors import InvalidInput


def snapshot(*cells: dict) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def code(source: str | list[str], *, tags: list[str] | None = None, outputs: list | None = None) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {"tags": tags or []},
            "outputs": outputs or [], "execution_count": None}


def test_papermill_cells_are_not_user_cells_and_outputs_are_read_as_text() -> None:
    cells = notebook_cells(snapshot(
        code("lr = 0.1", tags=["parameters"]),
        code("lr = 0.3", tags=["injected-parameters"]),
        code("", tags=["papermill-error-cell-tag"]),
        code(["print(", "lr)"], outputs=[
            {"output_type": "stream", "name": "stdout", "text": ["0.3\n"]},
            {"output_type": "execute_result", "data": {"text/plain": "3", "image/png": "AAAA"}},
            {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []},
        ]),
    ))
    assert [(c.index, c.source) for c in cells] == [(0, "lr = 0.1"), (3, "print(lr)")]
    assert cells[1].output == "0.3\n3\nValueError: bad\n"


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", b'{"cells": 3}', b"\xff\xfe"])
def test_a_snapshot_that_is_no_notebook_is_refused_naming_the_run(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="run B"):
        diff_snapshots("A", snapshot(code("x")), "B", data)


def test_a_missing_snapshot_is_named_and_nothing_is_compared() -> None:
    diff = diff_snapshots("A", None, "B", snapshot(code("x")))
    assert diff.missing == ["A"] and diff.cells == []


def test_same_source_with_other_output_is_outputs_differ_with_the_output_diff() -> None:
    a = [NotebookCell(0, "code", "print(x)", "1\n")]
    b = [NotebookCell(0, "code", "print(x)", "2\n")]
    (cell,) = match_cells(a, b)
    assert cell.status == "outputs differ"
    assert [(line.op, line.text) for line in cell.output_lines] == [("-", "1"), ("+", "2")]
    assert cell_text(cell)[-2:] == ["-1", "+2"]


def test_markup_in_sources_stays_text() -> None:
    hostile = "<script>alert(1)</script>\n" + "x = [" * 50 + "]" * 50
    diff = diff_snapshots("A", snapshot(code("x = 1")), "B", snapshot(code(hostile)))
    assert [c.status for c in diff.cells] == ["changed"]
    assert "+<script>alert(1)</script>" in cell_text(diff.cells[0])


def test_every_cell_of_both_notebooks_is_placed_once_in_order() -> None:
    """A property over random notebooks: the matcher loses no cell, invents none, keeps each
    notebook's order, and calls a pair unchanged only when type, source and output agree."""
    rng = random.Random(15)
    words = ["a = 1", "b = 2", "print(a)", "plot()", "# note", ""]
    for _ in range(300):
        def notebook() -> list[NotebookCell]:
            return [NotebookCell(i, rng.choice(["code", "markdown"]), rng.choice(words),
                                 rng.choice(["", "1\n", "2\n"])) for i in range(rng.randint(0, 8))]

        a, b = notebook(), notebook()
        out = match_cells(a, b)
        assert [c.index_a for c in out if c.index_a is not None] == [c.index for c in a]
        assert [c.index_b for c in out if c.index_b is not None] == [c.index for c in b]
        for cell in out:
            if cell.status == "unchanged":
                x, y = a[cell.index_a], b[cell.index_b]  # type: ignore[index]
                assert (x.cell_type, x.source, x.output) == (y.cell_type, y.source, y.output)
            if cell.status in ("added", "removed"):
                assert (cell.index_a is None) != (cell.index_b is None)
