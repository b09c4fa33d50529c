"""Stores with runs for the run browser's tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.store import forget_stores


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    forget_stores()


RunMaker = Callable[..., str]


@pytest.fixture
def make_run(store_dir: Path) -> RunMaker:
    """``make_run(name, params=..., losses=[...], status=...)``: a run in the test store whose
    ``loss`` metric takes the given values at steps 0, 1, ...; returns its id."""

    def make(
        name: str,
        *,
        experiment: str = "default",
        params: dict[str, Any] | None = None,
        losses: Sequence[float] = (),
        tags: dict[str, str] | None = None,
        status: str = "finished",
    ) -> str:
        run = mlops.start_run(
            name=name,
            experiment=experiment,
            params=params,
            tags=tags,
            store=os.fspath(store_dir),
            env={},
        )
        for step, value in enumerate(losses):
            run.log_metric("loss", value, step=step)
        mlops.end_run(status, run=run)
        return run.id

    return make


class RecordingComm:
    """Stands in for the kernel's comm: keeps what the widgets would send to the front end."""

    kernel = "a kernel"

    def __init__(self, log: FrontEndLog, **kwargs: Any) -> None:
        import uuid

        self.comm_id = kwargs.get("comm_id") or uuid.uuid4().hex
        self.log = log
        self.opened_with = kwargs.get("data", {})
        log.opened.append(self)

    def on_msg(self, callback: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.log.sent.append((self.comm_id, data))

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.log.closed.append(self.comm_id)


class FrontEndLog:
    def __init__(self) -> None:
        self.opened: list[RecordingComm] = []
        self.sent: list[tuple[str, Any]] = []
        self.closed: list[str] = []

    def updates(self) -> list[dict[str, Any]]:
        return [
            data["state"]
            for _, data in self.sent
            if isinstance(data, dict) and data.get("method") == "update"
        ]


@pytest.fixture
def front_end(monkeypatch: pytest.MonkeyPatch) -> FrontEndLog:
    """Widgets made during the test talk to a recording comm instead of a kernel's."""
    import comm

    log = FrontEndLog()
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(log, **kwargs))
    return log
