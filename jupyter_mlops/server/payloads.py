"""JSON payloads of the REST API, built from store entities (no web framework here).

JSON has no NaN or infinity, and metrics may hold them: every non-finite number is sent
as the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` (what JavaScript's ``Number()``
reads back), everywhere in every payload.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ..capture.system import metric_unit
from ..errors import InvalidInput, MlopsError, describe_error
from ..render.export import jsonable, strict_json
from ..render.palette import run_colour
from ..store.artifact_names import check_artifact_name as check_artifact_name  # the store's rule

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store


class MetricNotFound(MlopsError, LookupError):
    """A run has no metric with the requested key."""


class SnapshotNotFound(MlopsError, LookupError):
    """A run has no stored notebook snapshot."""


def dumps(value: Any) -> str:
    return strict_json(value, indent=None)


def _run_record(run: Run) -> dict[str, Any]:
    """``run.to_dict()``, its error with the one line every face shows (``error.summary``)."""
    record = run.to_dict()
    if run.error:
        record["error"] = {**run.error, "summary": describe_error(run.error)}
    return record


def run_summary(run: Run) -> dict[str, Any]:
    """A run as a row of a list: everything but its environment (which can be large)."""
    record = _run_record(run)
    record.pop("env", None)
    return record


def runs_page(
    store: Store | None,
    *,
    experiment: str | None,
    filter: str | None,
    order_by: str | None,
    limit: int,
    offset: int,
    top_level: bool = False,
    parent: str | None = None,
    count: str = "1",
) -> dict[str, Any]:
    """One page of runs and their total; each run says how many child runs it has and its colour
    (its chip in the table, its lines in the charts).
    ``top_level``: only runs without a parent; ``parent``: only that run's children.
    ``count``: ``"1"`` the page and its exact ``total``; ``"0"`` the page with ``"total":
    null`` unless it was free, and ``more`` (runs follow it); ``"only"`` no runs, the total."""
    from ..store.nesting import child_counts, nested_filter

    where = nested_filter(filter, top_level=top_level, parent=parent)
    if store is None:
        from ..store.filter import parse_filter, parse_order_by

        parse_filter(where or "")  # a bad filter is an error even on an empty store
        parse_order_by(order_by or "")
        return {"runs": [], "total": 0, "offset": 0, "more": False}
    if count == "only":
        return {"runs": [], "total": store.count_runs(where, experiment=experiment), "offset": offset}
    from ..store.paging import page_runs

    page = page_runs(store, where, experiment=experiment, order_by=order_by, limit=limit, offset=offset,
                     count=count != "0")
    counts = child_counts(store, [run.id for run in page.runs])
    return {
        "runs": [
            {**run_summary(run), "children": counts.get(run.id, 0), "colour": run_colour(run.id, run.colour_slot)}
            for run in page.runs
        ],
        "total": page.total,
        "offset": page.offset,
        "more": page.more,
    }


def run_detail(store: Store, run_id: str) -> dict[str, Any]:
    """Everything the detail view shows about one run."""
    run = store.get_run(run_id)
    record = _run_record(run)
    record["metric_keys"] = store.metric_keys(run.id)
    record["colour"] = run_colour(run.id, run.colour_slot)
    record["artifacts"] = [asdict(a) for a in store.artifacts(run.id)]
    record["execution_record"] = [asdict(c) for c in store.execution_record(run.id)]
    record["has_snapshot"] = store.snapshot_digest(run.id) is not None
    record["files"] = [ref.to_dict() for ref in store.files.of_run(run.id)]
    return record


def metric_series(store: Store, run_id: str, key: str, max_points: int) -> dict[str, Any]:
    """One metric's history, at most ``max_points`` points (its shape kept: first, last and
    each stretch's lowest and highest point)."""
    run = store.get_run(run_id)
    history = store.metric_history(run.id, key)
    if not len(history) and key not in store.metric_keys(run.id):
        known = ", ".join(store.metric_keys(run.id)) or "none"
        raise MetricNotFound(f"run {run.id} has no metric {key!r}; its metrics: {known}")
    total = len(history)
    # downsample() keeps the first and last point beside two per bucket: leave room for them
    shown = history.downsample(max(2, max_points - 2)) if total > max_points else history
    return {
        "run_id": run.id,
        "key": key,
        "steps": list(shown.steps),
        "values": [jsonable(v) for v in shown.values],
        "timestamps": list(shown.timestamps),
        "total_points": total,
        "downsampled": len(shown) < total,
        "unit": metric_unit(key),
    }


def snapshot_bytes(store: Store, run_id: str) -> tuple[str, bytes]:
    run = store.get_run(run_id)
    data = store.snapshot_bytes(run.id)
    if data is None:
        raise SnapshotNotFound(
            f"run {run.id} has no notebook snapshot (it was tracked with --no-snapshot, or "
            "outside a notebook)"
        )
    return run.id, data


def parse_patch(body: Any) -> dict[str, Any]:
    """The fields of a ``PATCH runs/{id}`` body, checked: ``name``, ``note``, ``tags``."""
    if not isinstance(body, dict):
        raise InvalidInput(
            'the body must be a JSON object such as {"note": "...", "tags": {"k": "v"}}'
        )
    unknown = sorted(set(body) - {"name", "note", "tags"})
    if unknown:
        raise InvalidInput(
            f"cannot change {', '.join(map(repr, unknown))}: a run's name, note and tags can be changed"
        )
    changes: dict[str, Any] = {}
    if "name" in body:
        if not isinstance(body["name"], str):
            raise InvalidInput(f"name must be text, got {type(body['name']).__name__}")
        changes["name"] = body["name"]
    if "note" in body:
        if not isinstance(body["note"], str):
            raise InvalidInput(f"note must be text, got {type(body['note']).__name__}")
        changes["note"] = body["note"]
    if "tags" in body:
        tags = body["tags"]
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise InvalidInput('tags must be an object of text values, e.g. {"stage": "prod"}')
        changes["tags"] = tags
    return changes


def parse_rerun(body: Any) -> tuple[dict[str, Any], str | None]:
    """The params and the name (None: named from the changes) of a ``POST runs/{id}/rerun``."""
    if body is None:
        return {}, None
    if not isinstance(body, dict):
        raise InvalidInput('the body must be a JSON object such as {"params": {"lr": 0.01}}')
    unknown = sorted(set(body) - {"params", "name"})
    if unknown:
        raise InvalidInput(
            f'unknown field(s) {", ".join(map(repr, unknown))}; send {{"params": {{...}}, "name": "..."}}'
        )
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise InvalidInput(
            'params must be an object of parameter names and values, e.g. {"lr": 0.01}'
        )
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput(f"name must be a string (or left out to name the run from its changes), got {name!r}")
    return params, (name.strip() or None) if name is not None else None


def parse_changes(text: str) -> dict[str, Any]:
    """``GET runs/{id}/rerun?params=JSON``: the changed values a suggested name is made from."""
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInput(
            f'params must be a JSON object such as {{"lr": 0.1}}, got {text[:80]!r}'
        ) from None
    return parse_rerun({"params": value})[0]
