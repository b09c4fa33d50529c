"""A ``%%track`` cell still running in a real kernel, as the sidebar sees it through the REST
API: its params from the start, and its metrics rising while it runs."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.kernel import Kernel
from tests.support.server import body

pytestmark = pytest.mark.slow

# Logs every 100 ms until the test creates the stop file (at most a minute).
LOOP_CELL = """%%track --name live --quiet
lr = 0.05
epochs = 40
optimizer = 'adam'
import os, time
for step in range(600):
    mlops.log_metric('count', step)
    if os.path.exists(stop_file):
        break
    time.sleep(0.1)
"""


async def until(probe: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """The first truthy answer of ``probe``, asked every 0.1 s."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await probe()
        if answer or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.1)


async def test_a_running_cell_shows_its_params_and_rising_metrics(
    api: Any, root_store: Path, jp_root_dir: Path, tmp_path: Path
) -> None:
    stop = tmp_path / "stop"
    env = {**os.environ, "JUPYTER_MLOPS_STORE": str(root_store)}
    env.pop("JUPYTER_MLOPS_RUN_ID", None)
    kernel = Kernel(env, jp_root_dir)
    try:
        setup = kernel.execute(f"%load_ext jupyter_mlops\nimport jupyter_mlops as mlops\nstop_file = {str(stop)!r}")
        assert setup["status"] == "ok", setup
        msg_id = kernel.start(LOOP_CELL)

        async def running() -> dict[str, Any] | None:
            runs = body(await api("runs"))["runs"]
            return runs[0] if runs and runs[0]["status"] == "running" else None

        listed = await until(running)
        assert listed is not None, "the running cell's run never appeared"
        assert listed["params"] == {"lr": 0.05, "epochs": 40, "optimizer": "adam"}

        seen: list[float] = []

        async def risen() -> bool:
            run = body(await api("runs", listed["id"]))
            assert run["status"] == "running"
            assert run["params"] == {"lr": 0.05, "epochs": 40, "optimizer": "adam"}
            count = run["metrics"].get("count")
            if count is not None and (not seen or count > seen[-1]):
                seen.append(count)
            return len(seen) >= 4

        assert await until(risen), f"metrics of the running run did not rise: {seen}"
        stop.touch()
        assert kernel.reply(msg_id)["status"] == "ok"
        done = body(await api("runs", listed["id"]))
        assert done["status"] == "finished"
        assert done["params"] == {"lr": 0.05, "epochs": 40, "optimizer": "adam"}
        assert done["metrics"]["count"] >= seen[-1]
    finally:
        stop.touch()
        kernel.stop()
