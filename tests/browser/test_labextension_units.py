"""The labextension's own unit tests (vitest: API client, model, view helpers) as part of
``make test``. They need the node_modules that ``pip install -e .`` installs to build the
extension; without them (or without Node.js) they are skipped, saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"


def test_vitest_suite_passes() -> None:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("Node.js is not installed: the labextension's unit tests need npx")
    if not (LABEXTENSION / "node_modules" / "vitest").is_dir():
        pytest.skip(
            "labextension/node_modules is missing: `pip install -e .` (or `npm install` in "
            "labextension/) installs it"
        )
    env = {**os.environ, "CI": "1", "NO_COLOR": "1"}
    result = subprocess.run(
        [npx, "--no-install", "vitest", "run", "--reporter=dot"],
        cwd=LABEXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "passed" in result.stdout
