"""What the tracking writer hands the store: the columns of a run it starts and the batch it
writes in one transaction.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import config
from .entities import ExecutedCell
from .liveness import HOST
from .validation import check_note, validate_name


@dataclass(frozen=True)
class NewRun:
    """The columns a run starts with: for ``Store.create_run``, or for the tracking writer,
    which inserts a short run's row with its first batch (see ``WriteBatch.creates``)."""

    name: str
    experiment: str
    parent_id: str | None = None
    source: str = "api"
    notebook_path: str | None = None
    env: Mapping[str, Any] | None = None
    started_at: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    host: str = HOST
    note: str = ""
    user: str | None = field(default_factory=config.current_user)

    def __post_init__(self) -> None:
        validate_name("run name", self.name)
        validate_name("experiment name", self.experiment)
        check_note(self.note)

    def row(self, run_id: str, *, snapshot: str | None = None,
            end: tuple[str, float, Mapping[str, Any] | None] | None = None) -> dict[str, Any]:
        row = {
            "id": run_id, "name": self.name, "experiment": self.experiment, "status": "running",
            "parent_id": self.parent_id, "started_at": self.started_at, "heartbeat_at": self.started_at,
            "host": self.host, "pid": self.pid, "note": self.note, "notebook_path": self.notebook_path,
            "source": self.source, "env": env_json(self.env) if self.env else None,
            "snapshot": snapshot, "user": self.user,
        }
        if end is not None:
            row.update(end_columns(*end))
        return row


_last_env: tuple[dict[str, Any], str] | None = None


def env_json(env: Mapping[str, Any]) -> str:
    """The stored JSON of a run's environment. A kernel's runs mostly share one environment
    (its package list is most of it): the text of the last one is reused when the next is equal."""
    global _last_env
    last = _last_env
    if last is not None and last[0] == env:
        return last[1]
    text = json.dumps(dict(env))
    _last_env = (json.loads(text), text)  # a copy: later changes to ``env`` do not reach it
    return text


def end_columns(status: str, ended_at: float, error: Mapping[str, Any] | None) -> dict[str, Any]:
    columns: dict[str, Any] = {"status": status, "ended_at": ended_at}
    if error is not None:
        columns["error"] = json.dumps(dict(error))
    return columns


@dataclass
class WriteBatch:
    """What the tracking writer hands the store in one transaction."""

    creates: dict[str, NewRun] = field(default_factory=dict)  # runs to insert first, parents first
    series: dict[tuple[str, str], tuple[Any, Any, Any]] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    param_removals: dict[str, set[str]] = field(default_factory=dict)  # deleted before ``params`` go in
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    snapshots: dict[str, str] = field(default_factory=dict)  # run id -> snapshot digest
    snapshot_blobs: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # digest -> (size, zlib bytes)
    records: dict[str, list[ExecutedCell]] = field(default_factory=dict)  # execution records
    heartbeat: list[str] = field(default_factory=list)
    ends: dict[str, tuple[str, float, Mapping[str, Any] | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.creates or self.series or self.params or self.param_removals or self.tags or self.snapshots
                    or self.snapshot_blobs or self.records or self.heartbeat or self.ends)
