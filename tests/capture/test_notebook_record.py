"""Finding and reading the kernel's notebook, and the execution record built against it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from jupyter_mlops.capture.execution import build_record, source_hash
from jupyter_mlops.capture.notebook import (
    NotebookUnreadable,
    find_notebook,
    history_notebook,
    read_notebook,
    take_snapshot,
)


def write_notebook(path: Path, cells: list[tuple[str, int | None]]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# title")]
    notebook.cells += [nbformat.v4.new_code_cell(src, execution_count=count) for src, count in cells]
    nbformat.write(notebook, path)
    return path


def flags(record) -> list[tuple[int | None, bool, bool]]:
    return [(c.execution_count, c.out_of_order, c.stale) for c in record]


def test_record_flags_out_of_order_and_stale_cells(tmp_path: Path) -> None:
    saved = read_notebook(write_notebook(tmp_path / "nb.ipynb", [
        ("a = 1", 1), ("b = 2", 3), ("c = 3", 2), ("d = 4", 4), ("e = 5", None)]))
    history = [(1, "a = 1"), (2, "c = 3"), (3, "b = 2"), (4, "d = 40"), (5, "unsaved = 1"), (6, "a = 1  ")]
    record = build_record(history, saved)
    assert flags(record) == [(1, False, False), (2, False, False), (3, True, False), (4, False, True),
                             (5, False, False), (6, True, False)]
    assert [c.position for c in record] == list(range(6))
    assert record[3].source == "d = 40" and record[3].source_hash == source_hash("d = 40")


def test_counts_from_an_earlier_kernel_session_are_not_trusted(tmp_path: Path) -> None:
    # Saved yesterday with counts 1..12; today's kernel ran two cells.
    saved = read_notebook(write_notebook(tmp_path / "nb.ipynb", [("a = 1", 11), ("b = 2", 1), ("c = 3", 12)]))
    record = build_record([(1, "c = 3"), (2, "x = 9")], saved)
    assert flags(record) == [(1, False, False), (2, False, False)]


def test_without_a_notebook_the_record_is_the_history(tmp_path: Path) -> None:
    record = build_record([(1, "a = 1"), (3, "b = 2")], None)
    assert flags(record) == [(1, False, False), (3, False, False)]


def test_notebook_is_found_from_env_then_session_then_vscode(tmp_path: Path, monkeypatch) -> None:
    runner, server, vscode = (write_notebook(tmp_path / f"{n}.ipynb", []) for n in ("runner", "server", "vscode"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    namespace = {"__session__": str(server), "__vsc_ipynb_file__": str(vscode)}
    monkeypatch.setenv("JUPYTER_MLOPS_NOTEBOOK", str(runner))
    assert find_notebook(namespace) == (runner, None)
    monkeypatch.delenv("JUPYTER_MLOPS_NOTEBOOK")
    assert find_notebook(namespace) == (server, None)
    assert find_notebook({"__vsc_ipynb_file__": str(vscode)}) == (vscode, None)
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "renamed.ipynb"))
    path, problem = find_notebook({})
    assert path is None and "renamed.ipynb not found" in problem
    monkeypatch.setenv("JPY_SESSION_NAME", "console-1234")  # a console: not a notebook, no problem
    assert find_notebook({}) == (None, None)


def test_unreadable_notebooks_say_why(tmp_path: Path) -> None:
    half = tmp_path / "half.ipynb"
    half.write_text('{"cells": [')
    with pytest.raises(NotebookUnreadable, match="not valid JSON"):
        read_notebook(half)
    other = tmp_path / "other.ipynb"
    other.write_text('{"hello": 1}')
    with pytest.raises(NotebookUnreadable, match="no list of cells"):
        read_notebook(other)
    with pytest.raises(NotebookUnreadable, match="cannot read"):
        read_notebook(tmp_path / "missing.ipynb")


def test_a_saved_notebook_is_parsed_again_only_when_it_changes(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", [("a = 1", 1)])
    first = read_notebook(path)
    assert read_notebook(path) is first
    write_notebook(path, [("a = 2", 1)])
    os.utime(path, ns=(first_ns := path.stat().st_mtime_ns + 10**9, first_ns))
    assert read_notebook(path).code_cells[0].source == "a = 2"


def test_snapshot_from_history_is_a_valid_notebook(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    snapshot, saved = take_snapshot({}, [(1, "x = 1"), (2, "%%track\ny = 2")])
    assert saved is None and snapshot.origin == "history" and snapshot.tags == {"mlops.snapshot": "history"}
    notebook = nbformat.reads(snapshot.data.decode(), as_version=4)
    nbformat.validate(notebook)
    assert [(c.source, c.execution_count) for c in notebook.cells] == [("x = 1", 1), ("%%track\ny = 2", 2)]
    assert json.loads(history_notebook([]))["cells"] == []
