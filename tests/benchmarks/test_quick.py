"""Every benchmark still runs: each one's ``--quick`` mode (tiny sizes, seconds), as ``make bench``
starts it (``python -m benchmarks.NAME`` from the repository root), in this test venv. Where
MLflow's SQL store cannot be imported, the MLflow side is skipped, and said; without a GPU the
GPU check says so and succeeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: blob_bench's quick mode runs in tests/server/test_download_memory.py, which reads its figures.
BENCHMARKS = sorted(
    path.stem for path in (ROOT / "benchmarks").glob("*.py")
    if not path.stem.startswith("_") and path.stem != "blob_bench"
)


def test_every_benchmark_is_listed() -> None:
    assert {"core", "ci_bench", "compare_bench", "gpu_check", "postgres_bench", "runner_bench", "sidebar_bench",
            "track_bench", "widgets_bench"} <= set(BENCHMARKS)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_runs_in_quick_mode(name: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=840, check=False,
    )
    assert done.returncode == 0, f"{name} --quick failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{name} --quick printed no figures"
    assert "Traceback" not in done.stderr
