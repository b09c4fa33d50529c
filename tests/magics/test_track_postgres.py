"""``%%track`` with the store on a PostgreSQL server: the same runs, snapshot included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops


def test_a_tracked_cell_on_postgres(shell: Any, postgres_server: Any, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    url = postgres_server.create_database()
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", url)
    monkeypatch.delenv("JUPYTER_MLOPS_BLOBS", raising=False)  # snapshots live in the database
    result = shell.run("%%track --name on-pg --quiet\nlr = 0.1\nfor i in range(5):\n    mlops.log_metric('loss', 1 / (i + 1))\n")
    assert result.error is None
    [run] = mlops.get_store(url).search_runs()
    assert (run.name, run.status, run.source, run.params) == ("on-pg", "finished", "cell", {"lr": 0.1})
    assert [p.step for p in run.metric_history("loss")] == [0, 1, 2, 3, 4]
    assert run.snapshot() is not None and run.execution_record()
    assert "could not store" not in result.stderr
