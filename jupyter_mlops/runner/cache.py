"""Caching of pipeline steps: a step whose notebook content, resolved parameters and upstream
outputs equal those of an earlier finished execution reuses that execution.

The reuse is a child run of its own (``STEP (cached)``, tagged ``cached_from`` with the execution
that really ran) carrying that execution's params, outputs, last metrics and snapshot, so that
``jupyter mlops runs`` shows every pipeline run complete, and which steps were reused.
"""

from __future__ import annotations

import array
import hashlib
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..store.ids import new_run_id

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store
    from .pipeline import Step


def cache_key(
    step: Step, parameters: Mapping[str, Any], upstream: Mapping[str, Mapping[str, Any]]
) -> str:
    """What decides a step's result: notebook content, resolved parameters, upstream outputs."""
    material = {
        "notebook": step.target.notebook.content_hash(step.target.kernel_name),
        "parameters": parameters,
        "upstream": {dep: upstream.get(dep, {}) for dep in sorted(step.depends_on)},
    }
    text = json.dumps(material, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_cached(store: Store, key: str) -> Run | None:
    found = store.search_runs(f"tags.cache_key = '{key}' and status = 'finished'", limit=1)
    return found[0] if found else None


def reuse(
    store: Store,
    earlier: Run,
    *,
    name: str,
    experiment: str,
    parent_id: str,
    tags: Mapping[str, str],
) -> str:
    """A finished child run standing for ``earlier``: its params, outputs, last metrics and
    snapshot, tagged ``cached_from`` with the execution that really ran."""
    origin = earlier.tags.get("cached_from") or earlier.id
    run_id = new_run_id()
    store.create_run(
        run_id,
        name=name,
        experiment=experiment,
        parent_id=parent_id,
        source="notebook",
        notebook_path=earlier.notebook_path,
        env=earlier.env,
        params=earlier.params,
        tags={**tags, "cached_from": origin},
    )
    if earlier.outputs:
        store.set_outputs(run_id, earlier.outputs)
    if earlier.metrics:
        now = time.time()
        store.write_metrics(
            {
                (run_id, key): (
                    array.array("q", [0]),
                    array.array("d", [value]),
                    array.array("d", [now]),
                )
                for key, value in earlier.metrics.items()
            }
        )
    snapshot = store.snapshot_bytes(earlier.id)
    if snapshot:
        store.set_snapshot(run_id, snapshot)
    store.end_run(run_id, "finished")
    return run_id
