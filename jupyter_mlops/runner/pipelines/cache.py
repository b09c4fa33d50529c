"""Caching of pipeline steps: a step whose notebook content, resolved parameters and upstream
outputs equal those of an earlier finished execution reuses that execution, provided the files
that execution read still hold the same bytes (their digests, cached by file state, so an
unchanged file costs a ``stat``). Otherwise the step runs again and says why
(``prepare: data/raw.csv changed``).

The reuse is a child run of its own (``STEP (cached)``, tagged ``cached_from`` with the execution
that really ran) carrying that execution's params, outputs, last metrics and snapshot, so that
``jupyter mlops runs`` shows every pipeline run complete, and which steps were reused.
"""

from __future__ import annotations

import array
import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...store.ids import new_run_id

if TYPE_CHECKING:
    from ...store.entities import Run
    from ...store.sqlstore import Store
    from .spec import Step


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


#: Earlier executions with one key that are checked for unchanged inputs (newest first).
CANDIDATES = 20
MAX_NAMED = 3


@dataclass(frozen=True)
class CacheCheck:
    """An earlier execution to reuse, or why there is none (``None``: it never ran)."""

    run: Run | None
    reason: str | None = None


def find_cached(store: Store, key: str) -> Run | None:
    return check_cache(store, key).run


def check_cache(store: Store, key: str) -> CacheCheck:
    """The newest finished execution with ``key`` whose input files are unchanged."""
    found = store.search_runs(f"tags.cache_key = '{key}' and status = 'finished'", limit=CANDIDATES)
    reason = None
    for earlier in found:
        changed = changed_inputs(store, earlier.tags.get("cached_from") or earlier.id)
        if not changed:
            return CacheCheck(earlier)
        if reason is None:
            more = f" and {len(changed) - MAX_NAMED} more" if len(changed) > MAX_NAMED else ""
            reason = ", ".join(changed[:MAX_NAMED]) + more
    return CacheCheck(None, reason)


def changed_inputs(store: Store, run_id: str) -> list[str]:
    """What differs in the files run ``run_id`` read: ``"data/raw.csv changed"``, ``"... is gone"``."""
    from ...store.files import FileState, project_root

    root = project_root(store)
    changed = []
    for ref in store.files.of_run(run_id, "input"):
        if ref.path.startswith("dataframe:"):
            continue  # built in memory: the notebook and its inputs decide it
        absolute = ref.path if os.path.isabs(ref.path) else os.path.join(root, ref.path)
        try:
            state = FileState.of(absolute)
            same = store.files.digest(state) == ref.digest
        except OSError:
            changed.append(f"{ref.path} is gone")
            continue
        if not same:
            changed.append(f"{ref.path} changed")
    return changed


def resolved_parameters(step: Step, outputs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A step's parameters with upstream references substituted and values typed."""
    from ..parameters import coerce
    from .references import substitute

    resolved = substitute(step.parameters, outputs)
    return {key: coerce((step.target.specs or {}).get(key), key, value) for key, value in resolved.items()}


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
    store.files.record(run_id, store.files.of_run(earlier.id))  # the reuse keeps the lineage
    snapshot = store.snapshot_bytes(earlier.id)
    if snapshot:
        store.set_snapshot(run_id, snapshot)
    store.end_run(run_id, "finished")
    return run_id
