"""``%%track`` cells and ``%track`` spans record the files they read and wrote by themselves;
``--no-io`` turns that off."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jupyter_mlops.capture import files as capture


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def files_of(store, run_id: str) -> dict[tuple[str, str], str]:
    capture.flush()
    return {(r.role, r.path): r.digest for r in store.get_run(run_id).files()}


def test_a_tracked_cell_records_what_it_read_and_wrote(shell, store, tmp_path: Path) -> None:
    (tmp_path / "raw.csv").write_text("a\n1\n")
    result = shell.run("%%track --name prep\nimport pandas as pd\nframe = pd.read_csv('raw.csv')\n"
                       "frame.to_csv('clean.csv', index=False)\nopen('notes.txt', 'w').write('n')")
    assert result.error is None, result.stderr
    run = store.search_runs()[0]
    assert files_of(store, run.id) == {
        ("input", "raw.csv"): digest(b"a\n1\n"),
        ("output", "clean.csv"): digest((tmp_path / "clean.csv").read_bytes()),
        ("output", "notes.txt"): digest(b"n"),
    }
    assert shell.run("open('raw.csv').read()").error is None  # an untracked cell: no run, no record
    assert len(store.search_runs()) == 1
    assert len(store.get_run(run.id).files()) == 3


def test_no_io_turns_capture_off_for_the_cell(shell, store, tmp_path: Path) -> None:
    (tmp_path / "raw.csv").write_text("x")
    assert shell.run("%%track --name quiet --no-io\nopen('raw.csv').read()\nopen('o.txt', 'w').write('o')").error is None
    run = store.search_runs()[0]
    assert files_of(store, run.id) == {}


def test_a_failing_cell_keeps_the_files_it_touched(shell, store, tmp_path: Path) -> None:
    (tmp_path / "raw.csv").write_text("x")
    result = shell.run("%%track --name boom\nopen('raw.csv').read()\n1 / 0")
    assert isinstance(result.error, ZeroDivisionError)
    run = store.search_runs()[0]
    assert run.status == "failed"
    assert files_of(store, run.id) == {("input", "raw.csv"): digest(b"x")}


def test_a_span_records_the_files_of_every_cell_in_it(shell, store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    shell.run("%track start --name span")
    shell.run("open('a.txt').read()")
    shell.run("open('b.txt', 'w').write('b')")
    shell.run("%track stop")
    outside = shell.run("open('c.txt', 'w').write('c')")  # after the span: not recorded
    assert outside.error is None
    run = store.search_runs()[0]
    assert files_of(store, run.id) == {("input", "a.txt"): digest(b"a"), ("output", "b.txt"): digest(b"b")}
