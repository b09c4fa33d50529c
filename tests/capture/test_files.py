"""Files a run read and wrote, seen by the audit hook: whatever library opened them, with the
interpreter's, the system's and temporary files left out, digests cached by file state."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.capture import files as capture
from jupyter_mlops.errors import InvalidInput, NoActiveRun
from jupyter_mlops.store import files as store_files


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder whose store is ``.mlops`` inside it (the project root)."""
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    monkeypatch.chdir(root)
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(root / ".mlops"))
    return root


def by_role(run_id: str) -> dict[str, dict[str, str]]:
    capture.flush()
    refs = mlops.get_store().get_run(run_id).files()
    return {role: {r.path: r.digest for r in refs if r.role == role} for role in ("input", "output")}


def test_every_library_is_seen_and_system_files_are_left_out(project: Path) -> None:
    import joblib
    import numpy as np
    import pandas as pd

    (project / "data" / "raw.csv").write_text("a,b\n1,2\n3,4\n")
    (project / "data" / "lookup.bin").write_bytes(b"\x00\x01" * 1000)
    np.save(project / "data" / "weights.npy", np.arange(5))
    outside_tmp = Path(tempfile.mkdtemp()) / "scratch.txt"  # a temporary folder outside the project
    with mlops.start_run("prepare") as run, mlops.capture_files():
        frame = pd.read_csv("data/raw.csv")
        frame.to_csv("data/clean.csv", index=False)
        weights = np.load("data/weights.npy")
        joblib.dump({"w": weights}, "model.joblib")
        fd = os.open("data/lookup.bin", os.O_RDONLY)
        os.close(fd)
        fd = os.open("data/flags.out", os.O_WRONLY | os.O_CREAT)
        os.write(fd, b"done")
        os.close(fd)
        outside_tmp.write_text("scratch")
        Path(json.__file__).read_text()  # the standard library
        Path("/proc/self/status").read_text()
        open(os.devnull).close()
        open(".mlops/mlops.db", "rb").close()  # the store itself
    seen = by_role(run.id)
    assert seen["input"] == {
        "data/raw.csv": sha(b"a,b\n1,2\n3,4\n"),
        "data/weights.npy": sha((project / "data" / "weights.npy").read_bytes()),
        "data/lookup.bin": sha(b"\x00\x01" * 1000),
    }
    assert set(seen["output"]) == {"data/clean.csv", "model.joblib", "data/flags.out"}
    assert seen["output"]["data/flags.out"] == sha(b"done")
    ref = next(r for r in run.info().files("output") if r.path == "data/clean.csv")
    assert ref.size == (project / "data" / "clean.csv").stat().st_size
    assert ref.modified_at == pytest.approx((project / "data" / "clean.csv").stat().st_mtime)


def test_a_file_written_then_read_back_is_an_output_only(project: Path) -> None:
    import numpy as np

    Path("old.npz").write_bytes(b"stale")
    Path("log.txt").write_text("a")
    with mlops.start_run("roundtrip") as run, mlops.capture_files():
        Path("out.txt").write_text("x")
        Path("out.txt").read_text()
        np.savez("old.npz", a=np.arange(3))  # zipfile opens "w+b": truncated, so not read
        with open("log.txt", "a+") as log:  # appended to: its earlier content was there to read
            log.write("b")
    seen = by_role(run.id)
    assert set(seen["input"]) == {"log.txt"}  # (its digest is of the bytes at the run's end: "ab")
    assert set(seen["output"]) == {"out.txt", "old.npz", "log.txt"} and seen["output"]["out.txt"] == sha(b"x")


def test_plain_start_run_captures_nothing_unless_asked(project: Path) -> None:
    (project / "data" / "raw.csv").write_text("1")
    with mlops.start_run("plain") as run:
        Path("data/raw.csv").read_text()
    assert by_role(run.id) == {"input": {}, "output": {}}


def test_unchanged_files_are_hashed_once_even_in_a_fresh_store_object(project: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    big = project / "data" / "big.bin"
    big.write_bytes(os.urandom(3 << 20))
    calls: list[str] = []
    real = store_files.hash_file

    def counting(path: str) -> str:
        calls.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(store_files, "hash_file", counting)
    for name in ("first", "second"):
        with mlops.start_run(name), mlops.capture_files():
            big.read_bytes()
        capture.flush()
    assert calls == [str(big)]
    # another process: no memory cache, a new Store object; the table still knows the digest
    store_files._memory.clear()
    from jupyter_mlops.store.sqlstore import Store

    fresh = Store(str(project / ".mlops"))
    state = store_files.FileState.of(big)
    assert fresh.files.digest(state) == sha(big.read_bytes())
    assert calls == [str(big)]
    big.write_bytes(b"changed")  # new content: hashed again
    assert fresh.files.digest(store_files.FileState.of(big)) == sha(b"changed")
    assert len(calls) == 2


def test_descriptors_bytes_paths_and_failed_opens_do_not_break_capture(project: Path) -> None:
    with mlops.start_run("odd") as run, mlops.capture_files():
        r, w = os.pipe()  # descriptors, not paths
        with open(r, closefd=True) as fh, open(w, "w", closefd=True):
            pass
        assert fh.closed
        with pytest.raises(FileNotFoundError):
            open("does/not/exist.txt")  # noqa: SIM115 - it fails before there is a file to close
        with open(os.fsencode("bytes-name.txt"), "w") as out:  # a bytes path
            out.write("b")
    assert by_role(run.id)["output"] == {"bytes-name.txt": sha(b"b")}


def test_a_write_to_a_file_still_being_hashed_waits_for_its_digest(project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    data = project / "data" / "slow.bin"
    data.write_bytes(b"first")
    release = threading.Event()
    real = store_files.hash_file

    def slow(path: str) -> str:
        release.wait(5)
        return real(path)

    monkeypatch.setattr(store_files, "hash_file", slow)
    with mlops.start_run("reads") as run, mlops.capture_files():
        data.read_bytes()
    threading.Timer(0.3, release.set).start()
    data.write_bytes(b"second")  # untracked code, but the pending digest must be of b"first"
    assert by_role(run.id)["input"] == {"data/slow.bin": sha(b"first")}


def test_log_input_and_output_explicitly(project: Path) -> None:
    import pandas as pd

    (project / "data" / "raw.csv").write_text("x\n1\n")
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    with mlops.start_run("explicit") as run:
        ref = mlops.log_input(frame, name="features")
        mlops.log_input("data/raw.csv", name="raw", context="evaluation")
        Path("report.txt").write_text("ok")
        out = mlops.log_output("report.txt", name="report")
    assert ref.details == {"rows": 3, "columns": {"a": "int64", "b": str(frame["b"].dtype)}}
    assert ref.path == "dataframe:features" and ref.context == "training"
    same = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    other = pd.DataFrame({"a": [1, 2, 4], "b": ["x", "y", "z"]})
    with mlops.start_run("again"):
        assert mlops.log_input(same).digest == ref.digest
        assert mlops.log_input(other).digest != ref.digest
    stored = {r.path: r for r in mlops.get_store().get_run(run.id).files()}
    assert stored["data/raw.csv"].name == "raw" and stored["data/raw.csv"].context == "evaluation"
    assert stored["report.txt"].role == "output" and stored["report.txt"].digest == sha(b"ok") == out.digest
    assert stored["dataframe:features"].details["rows"] == 3


def test_log_input_and_output_refuse_bad_input(project: Path) -> None:
    with pytest.raises(NoActiveRun, match="no active run"):
        mlops.log_input("data")
    with mlops.start_run("bad") as run:
        with pytest.raises(InvalidInput, match="no file at 'missing.csv'"):
            mlops.log_input("missing.csv")
        with pytest.raises(InvalidInput, match="is a directory"):
            mlops.log_output("data")
        with pytest.raises(InvalidInput, match="not a list"):
            mlops.log_input([[1, 2], [3, 4]])
        with pytest.raises(InvalidInput, match="not a dict"):
            mlops.log_input({"a": [1]})  # DataFrame-like, but not a DataFrame
        with pytest.raises(InvalidInput, match="name must be"):
            mlops.log_input("data", name="")
    assert run.info().files() == []


def test_hashing_speed_is_disk_speed(project: Path) -> None:
    """Not a timing assertion: the hashed digest of a multi-chunk file equals hashlib's."""
    data = os.urandom(store_files.CHUNK * 2 + 12345)
    (project / "blob.bin").write_bytes(data)
    assert store_files.hash_file(project / "blob.bin") == sha(data)


def test_import_stays_cheap() -> None:
    import subprocess

    code = ("import sys, jupyter_mlops as m; m.log_input; m.capture_files; "
            "print(sorted(k for k in ('pandas', 'sqlalchemy', 'papermill') if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
