"""``jupyter mlops lineage PATH|RUN_ID|MODEL_URI [--format text|json|dot]``.

A face over ``Store.lineage``: which data made a run or a model, and what a file fed.
The text form is a tree from the sources (files no run here wrote) down; ``dot`` is for
Graphviz (``| dot -Tsvg``); ``json`` is the REST API's payload.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput, RunNotFound

if TYPE_CHECKING:
    from ..store.lineage import Lineage, LineageNode
    from ..store.sqlstore import Store

EXIT_OK = 0
VERBS = {"read": "read by", "wrote": "wrote", "registered": "registered"}


def register(commands: Any) -> None:
    """Add the ``lineage`` command to the CLI's sub-command parsers."""
    parser = commands.add_parser(
        "lineage", help="which files and runs made a run, a file or a model version, and what they fed",
        description="The lineage of a file, a run or a model version: the runs that read and wrote each "
                    "file (matched by content digest) and the model versions they registered.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  jupyter mlops lineage data/raw.csv\n  jupyter mlops lineage 1m8gdm5tpbsc5x --format dot"
               " | dot -Tsvg > lineage.svg\n  jupyter mlops lineage models:/digits@production")
    parser.add_argument("--store", metavar="LOCATION",
                        help="store directory or postgresql:// URL (default: as for every command)")
    parser.add_argument("target", metavar="PATH|RUN_ID|MODEL_URI",
                        help="a file path, a run id (or a unique prefix) or a model URI (name@alias, models:/name/3)")
    parser.add_argument("--format", choices=("text", "json", "dot"), default="text")
    parser.set_defaults(handler=_lineage)


def _lineage(args: argparse.Namespace) -> int:
    from ..store import open_store

    store = open_store(args.store)
    graph = resolve_target(store, args.target)
    render = {"text": to_text, "json": lambda g: json.dumps(g.to_dict(), indent=2, default=str) + "\n",
              "dot": to_dot}[args.format]
    sys.stdout.write(render(graph))
    return EXIT_OK


def resolve_target(store: Store, target: str) -> Lineage:
    """The lineage of ``target``: a model URI, a file on disk or in the records, or a run id."""
    from ..store.lineage import PathNotTracked

    if not target.strip():
        raise InvalidInput("give a file path, a run id or a model URI")
    if target.startswith("models:"):
        return _of_model(store, target)
    if os.path.exists(target):
        return store.lineage(path=target)
    try:  # a run id, or a unique prefix of one (as `show` and `diff` take)
        return store.lineage(run_id=store.find_run(target).id)
    except RunNotFound:
        pass
    try:
        return store.lineage(path=target)
    except PathNotTracked:
        pass
    if "@" in target or "/" not in target:
        from ..errors import ModelNotFound

        try:
            return _of_model(store, target)
        except (ModelNotFound, InvalidInput):
            pass
    raise InvalidInput(f"{target!r} is no file on disk, no run id, no recorded path and no model in "
                       f"{store.location}; see `jupyter mlops runs` and `jupyter mlops models list`")


def _of_model(store: Store, uri: str) -> Lineage:
    version = store.models.resolve(uri)
    if version.run_id is None:
        raise InvalidInput(f"{version.name} version {version.version} has no run (it was deleted): no lineage")
    return store.lineage(run_id=version.run_id)


# --- text -------------------------------------------------------------------------------------


def _size(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return ""  # pragma: no cover


def describe(node: LineageNode) -> str:
    data = node.data
    if node.kind == "file":
        digest = str(data.get("digest", ""))
        algo, _, hexdigest = digest.partition(":")
        rows = data.get("details", {}).get("rows") if isinstance(data.get("details"), dict) else None
        extra = f", {rows} rows" if rows is not None else ""
        return f"{node.label}  {algo}:{hexdigest[:12]} ({_size(data.get('size'))}{extra})"
    if node.kind == "run":
        who = f", {data['user']}" if data.get("user") else ""
        return f"run {data['run_id']}  {node.label!r} ({data.get('status')}{who})"
    return f"model {node.label}"


def to_text(graph: Lineage) -> str:
    incoming: dict[str, list[tuple[str, str]]] = {}
    outgoing: dict[str, list[tuple[str, str]]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.source, []).append((edge.kind, edge.target))
        incoming.setdefault(edge.target, []).append((edge.kind, edge.source))
    roots = [n for n in graph.nodes if n not in incoming] or list(graph.start)
    lines: list[str] = []
    shown: set[str] = set()

    def walk(node_id: str, depth: int, verb: str | None) -> None:
        node = graph.nodes.get(node_id)
        if node is None:
            return
        mark = "  <- start" if node_id in graph.start else ""
        prefix = "  " * depth + (f"{verb} " if verb else "")
        if node_id in shown:
            lines.append(f"{prefix}{describe(node)}  (see above)")
            return
        shown.add(node_id)
        lines.append(f"{prefix}{describe(node)}{mark}")
        for kind, target in outgoing.get(node_id, []):
            walk(target, depth + 1, VERBS[kind])

    for root in roots:
        walk(root, 0, None)
    if graph.truncated:
        lines.append("... (more: the walk stopped at its node limit)")
    return "\n".join(lines) + "\n"


# --- dot --------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Lineage) -> str:
    shapes = {"file": "note", "run": "box", "model": "component"}
    lines = ["digraph lineage {", "  rankdir=LR;"]
    for node in graph.nodes.values():
        style = ", style=bold" if node.id in graph.start else ""
        lines.append(f"  {_quote(node.id)} [label={_quote(describe(node))}, shape={shapes[node.kind]}{style}];")
    for edge in graph.edges:
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [label={_quote(edge.kind)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["describe", "register", "resolve_target", "to_dot", "to_text"]
