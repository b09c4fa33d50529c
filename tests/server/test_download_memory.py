"""A large artifact downloaded through a real ``jupyter lab`` costs the server a few MiB,
however large it is and however many clients fetch it at once, and arrives byte for byte.

Memory is a resource bound (generous: a download held in memory costs several times the
artifact), not a timing; it is read from /proc, so these tests run on Linux only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import blob_bench

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc"),
]

SIZE = 160 * blob_bench.MIB
BOUND = 48 * blob_bench.MIB


def test_downloading_a_large_artifact_keeps_the_server_memory_bounded(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    source = tmp_path / blob_bench.NAME
    expected = (blob_bench.write_artifact(source, SIZE), SIZE)
    logged = blob_bench.log_in_fresh_process(root / ".mlops", source)
    assert (logged["digest"], logged["size"]) == expected
    assert logged["peak_over_baseline"] < BOUND  # logging streams too
    from jupyter_mlops.store import forget_stores, open_store

    open_store(str(root / ".mlops")).log_artifact_bytes(logged["run_id"], "warm.txt", b"warm")
    forget_stores()
    figures = blob_bench.serve_and_download(root, tmp_path / "home", logged["run_id"], expected, parallel=3)
    for clients, peak, _seconds in figures:  # every body was hashed and compared on the way
        assert peak < BOUND, f"{clients} download(s) of {SIZE >> 20} MiB grew the server by {peak >> 20} MiB"


def test_the_benchmark_runs_in_quick_mode() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.blob_bench", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert any("logging it" in line and "MiB over baseline" in line for line in lines), out.stdout
    assert sum("bytes equal" in line for line in lines) == 2, out.stdout
