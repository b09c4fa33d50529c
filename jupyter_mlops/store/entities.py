"""Plain entities handed out by the store: never database rows."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import nbformat

    from .files import FileRef
    from .history import MetricHistory
    from .sqlstore import Store

RUN_STATUSES = ("running", "finished", "failed", "interrupted", "crashed")
ENDED_STATUSES = ("finished", "failed", "interrupted", "crashed")
RUN_SOURCES = ("cell", "notebook", "api")


class MetricPoint(NamedTuple):
    key: str
    step: int
    value: float
    timestamp: float


@dataclass(frozen=True)
class Artifact:
    name: str
    digest: str
    size: int
    created_at: float


@dataclass(frozen=True)
class RunBrief:
    """A run's name, status, times and last metric values: what a summary line shows, read
    without its params, tags and outputs (see ``Store.run_brief``)."""

    id: str
    name: str
    status: str
    started_at: float
    ended_at: float | None
    metrics: dict[str, float]

    @property
    def duration(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


@dataclass(frozen=True)
class ExecutedCell:
    """One cell execution the kernel made up to a run."""

    position: int
    execution_count: int | None
    source_hash: str
    source: str
    out_of_order: bool
    stale: bool


@dataclass(repr=False)
class Run:
    id: str
    name: str
    experiment: str
    status: str
    parent_id: str | None
    started_at: float
    ended_at: float | None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    note: str = ""
    notebook_path: str | None = None
    source: str = "api"
    env: dict[str, Any] = field(default_factory=dict, repr=False)
    error: dict[str, Any] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    pid: int | None = None
    user: str | None = None
    #: Its place in the palette of run colours (:func:`~jupyter_mlops.render.palette.run_colour`),
    #: given when it was created; None in a row without one (its colour then comes from its id).
    colour_slot: int | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        metrics = {k: v for k, v in self.metrics.items() if not k.startswith("system/")}
        return (f"Run(id={self.id!r}, name={self.name!r}, experiment={self.experiment!r}, "
                f"status={self.status!r}, params={self.params!r}, metrics={metrics!r})")

    def _repr_html_(self) -> str:
        from ..render.run_html import run_html

        return run_html(self)

    def plot(self, *keys: str) -> Any:
        """A chart of metric histories (all non-system metrics when no key is given)."""
        from ..render.plot import plot_metrics

        chosen = list(keys) or [k for k in self.metric_keys() if not k.startswith("system/")]
        return plot_metrics([self], chosen)

    @property
    def duration(self) -> float | None:
        if self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def started(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.started_at)

    def _require_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("this Run is not attached to a store")
        return self._store

    def metric_history(self, key: str) -> MetricHistory:
        """Every point of one metric, in the order logged (a list-like of MetricPoint)."""
        return self._require_store().metric_history(self.id, key)

    def metric_keys(self) -> list[str]:
        return self._require_store().metric_keys(self.id)

    def snapshot(self) -> nbformat.NotebookNode | None:
        return self._require_store().snapshot(self.id)

    def artifacts(self) -> list[Artifact]:
        return self._require_store().artifacts(self.id)

    def artifact_bytes(self, name: str) -> bytes:
        return self._require_store().artifact_bytes(self.id, name)

    def execution_record(self) -> list[ExecutedCell]:
        return self._require_store().execution_record(self.id)

    def files(self, role: str | None = None) -> list[FileRef]:
        """The files this run read (``role="input"``) and wrote (``"output"``)."""
        return self._require_store().files.of_run(self.id, role)

    def children(self) -> list[Run]:
        store = self._require_store()
        return store.search_runs(f"parent_id = '{self.id}'", order_by="started_at", limit=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "experiment": self.experiment,
            "status": self.status,
            "parent_id": self.parent_id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration": self.duration,
            "params": self.params,
            "metrics": self.metrics,
            "tags": self.tags,
            "note": self.note,
            "notebook_path": self.notebook_path,
            "source": self.source,
            "env": self.env,
            "error": self.error,
            "outputs": self.outputs,
            "host": self.host,
            "pid": self.pid,
            "user": self.user,
        }


class RunList(list[Run]):
    """Runs as a list that shows itself as a table in notebooks and terminals."""

    def __repr__(self) -> str:
        from ..render.text import runs_table

        return runs_table(self).rstrip("\n")

    def _repr_html_(self) -> str:
        from ..render.run_html import runs_html

        return runs_html(self)

    def plot(self, *keys: str) -> Any:
        """Overlaid metric histories of these runs."""
        from ..render.plot import plot_metrics

        if not keys:
            raise TypeError("name the metric(s) to plot, e.g. runs.plot('loss')")
        return plot_metrics(self, keys)
