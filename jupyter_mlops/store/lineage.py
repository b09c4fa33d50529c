"""Lineage: which runs read and wrote which files, and which model versions they registered.

Nodes are runs, file versions (a path with one digest) and model versions; edges are
``read`` (file -> run), ``wrote`` (run -> file) and ``registered`` (run -> model version).
A walk goes both ways from where it starts: upstream through what each run read to the run
that wrote that path with the same digest, downstream through what each run wrote to the
runs that read those same bytes and the model versions registered from them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_

from ..errors import InvalidInput, MlopsError
from . import schema as s
from .files import FileRef, display_path, to_ref

if TYPE_CHECKING:
    from .sqlstore import Store

# A walk stops growing here: a path read by thousands of runs still answers in bounded memory.
MAX_NODES = 2000


class PathNotTracked(MlopsError, LookupError):
    """No run read or wrote this path."""


@dataclass(frozen=True)
class LineageNode:
    id: str  # "run:<id>", "file:<path>@<digest>", "model:<name>/<version>"
    kind: str  # "run", "file", "model"
    label: str
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, **self.data}


@dataclass(frozen=True)
class LineageEdge:
    source: str
    target: str
    kind: str  # "read", "wrote", "registered"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "kind": self.kind}


@dataclass
class Lineage:
    """A lineage graph around ``start`` (the node ids the walk began from)."""

    start: list[str]
    nodes: dict[str, LineageNode] = field(default_factory=dict)
    edges: list[LineageEdge] = field(default_factory=list)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"start": list(self.start), "nodes": [n.to_dict() for n in self.nodes.values()],
                "edges": [e.to_dict() for e in self.edges], "truncated": self.truncated}

    def runs(self) -> list[str]:
        return [n.data["run_id"] for n in self.nodes.values() if n.kind == "run"]


def file_node_id(path: str, digest: str) -> str:
    return f"file:{path}@{digest}"


class _Walk:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.graph = Lineage(start=[])
        self._edges: set[LineageEdge] = set()
        self._runs: dict[str, Any] = {}

    def full(self) -> bool:
        if len(self.graph.nodes) >= MAX_NODES:
            self.graph.truncated = True
            return True
        return False

    def add_edge(self, source: str, target: str, kind: str) -> None:
        edge = LineageEdge(source, target, kind)
        if edge not in self._edges:
            self._edges.add(edge)
            self.graph.edges.append(edge)

    def add_file(self, ref: FileRef) -> str:
        node_id = file_node_id(ref.path, ref.digest)
        if node_id not in self.graph.nodes:
            self.graph.nodes[node_id] = LineageNode(node_id, "file", ref.path, {
                "path": ref.path, "digest": ref.digest, "size": ref.size, "modified_at": ref.modified_at,
                "name": ref.name, "details": ref.details})
        return node_id

    def add_runs(self, run_ids: Iterable[str]) -> None:
        wanted = [r for r in run_ids if f"run:{r}" not in self.graph.nodes]
        if not wanted:
            return
        columns = (s.runs.c.id, s.runs.c.name, s.runs.c.status, s.runs.c.experiment, s.runs.c.user,
                   s.runs.c.started_at)
        with self.store._read() as conn:
            rows = conn.execute(select(*columns).where(s.runs.c.id.in_(wanted))).all()
        for row in rows:
            self.graph.nodes[f"run:{row.id}"] = LineageNode(f"run:{row.id}", "run", row.name, {
                "run_id": row.id, "name": row.name, "status": row.status, "experiment": row.experiment,
                "user": row.user, "started_at": row.started_at})

    def files_of(self, run_ids: list[str], role: str) -> list[tuple[str, FileRef]]:
        rf = s.run_files
        with self.store._read() as conn:
            rows = conn.execute(select(rf).where(rf.c.run_id.in_(run_ids), rf.c.role == role)
                                .order_by(rf.c.path)).all()
        return [(row.run_id, to_ref(row)) for row in rows]

    def runs_with(self, files: list[tuple[str, str]], role: str) -> list[tuple[str, FileRef]]:
        rf = s.run_files
        found: list[tuple[str, FileRef]] = []
        for start in range(0, len(files), 300):
            with self.store._read() as conn:
                rows = conn.execute(select(rf).where(tuple_(rf.c.path, rf.c.digest).in_(files[start : start + 300]),
                                                     rf.c.role == role)).all()
            found.extend((row.run_id, to_ref(row)) for row in rows)
        return found

    def add_models(self, run_ids: list[str]) -> None:
        mv = s.model_versions
        with self.store._read() as conn:
            versions = conn.execute(select(mv.c.model, mv.c.version, mv.c.run_id, mv.c.artifact)
                                    .where(mv.c.run_id.in_(run_ids))).all()
            keys = [(v.model, v.version) for v in versions]
            aliases: dict[tuple[str, int], list[str]] = {}
            if keys:
                ma = s.model_aliases
                for model, alias, version in conn.execute(select(ma.c.model, ma.c.alias, ma.c.version).where(
                        tuple_(ma.c.model, ma.c.version).in_(keys)).order_by(ma.c.alias)):
                    aliases.setdefault((model, version), []).append(alias)
        for v in versions:
            node_id = f"model:{v.model}/{v.version}"
            found = aliases.get((v.model, v.version), [])
            label = f"{v.model} v{v.version}" + "".join(f" @{a}" for a in found)
            self.graph.nodes[node_id] = LineageNode(node_id, "model", label, {
                "name": v.model, "version": v.version, "aliases": found, "artifact": v.artifact,
                "uri": f"models:/{v.model}/{v.version}"})
            self.add_edge(f"run:{v.run_id}", node_id, "registered")

    # --- the two directions ------------------------------------------------------------

    def upstream(self, run_ids: list[str]) -> None:
        seen: set[str] = set()
        frontier = list(run_ids)
        while frontier and not self.full():
            seen.update(frontier)
            inputs = self.files_of(frontier, "input")
            for run_id, ref in inputs:
                self.add_edge(self.add_file(ref), f"run:{run_id}", "read")
            writers = self.runs_with(sorted({(ref.path, ref.digest) for _, ref in inputs}), "output")
            for run_id, ref in writers:
                self.add_edge(f"run:{run_id}", self.add_file(ref), "wrote")
            self.add_runs(run_id for run_id, _ in writers)
            frontier = sorted({run_id for run_id, _ in writers} - seen)

    def downstream(self, run_ids: list[str]) -> None:
        seen: set[str] = set()
        frontier = list(run_ids)
        while frontier and not self.full():
            seen.update(frontier)
            self.add_models(frontier)
            outputs = self.files_of(frontier, "output")
            for run_id, ref in outputs:
                self.add_edge(f"run:{run_id}", self.add_file(ref), "wrote")
            readers = self.runs_with(sorted({(ref.path, ref.digest) for _, ref in outputs}), "input")
            for run_id, ref in readers:
                self.add_edge(self.add_file(ref), f"run:{run_id}", "read")
            self.add_runs(run_id for run_id, _ in readers)
            frontier = sorted({run_id for run_id, _ in readers} - seen)


def build_lineage(store: Store, run_id: str | None = None, path: str | None = None) -> Lineage:
    """The lineage around one run (``run_id``, a prefix as ``get_run`` takes) or one file."""
    if (run_id is None) == (path is None):
        raise InvalidInput("lineage needs either a run id or a path (not both)")
    walk = _Walk(store)
    if run_id is not None:
        run = store.get_run(run_id)  # RunNotFound names the store
        walk.add_runs([run.id])
        walk.graph.start = [f"run:{run.id}"]
        walk.upstream([run.id])
        walk.downstream([run.id])
        return walk.graph
    stored = stored_path(store, path)  # type: ignore[arg-type]
    rf = s.run_files
    with store._read() as conn:
        rows = conn.execute(select(rf).where(rf.c.path == stored).order_by(rf.c.recorded_at)).all()
    if not rows:
        raise PathNotTracked(f"no run in {store.location} read or wrote {path!r} (stored as {stored!r}); "
                             "files are recorded by %%track cells, runner runs and mlops.log_input/log_output")
    writers, readers = [], []
    for row in rows:
        ref = to_ref(row)
        node = walk.add_file(ref)
        if node not in walk.graph.start:
            walk.graph.start.append(node)
        if ref.role == "output":
            walk.add_edge(f"run:{row.run_id}", node, "wrote")
            writers.append(row.run_id)
        else:
            walk.add_edge(node, f"run:{row.run_id}", "read")
            readers.append(row.run_id)
    walk.add_runs(writers + readers)
    walk.upstream(sorted(set(writers)))
    walk.downstream(sorted(set(readers)))
    return walk.graph


def stored_path(store: Store, path: str) -> str:
    """The form a path a user typed has in the records (relative to the project root when inside)."""
    if not isinstance(path, str) or not path.strip() or "\0" in path:
        raise InvalidInput(f"a path must be non-empty text, got {path!r}")
    if os.path.isabs(path) or os.path.exists(path):
        return display_path(store, path)
    return Path(path).as_posix()  # as stored: relative to the project root


__all__ = ["Lineage", "LineageEdge", "LineageNode", "PathNotTracked", "build_lineage", "stored_path"]
