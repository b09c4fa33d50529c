"""The parent run of a sweep or a pipeline, and the order of its summary table."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..store.ids import new_run_id

if TYPE_CHECKING:
    from ..store.sqlstore import Store


def open_parent(
    store: Store,
    *,
    name: str,
    experiment: str,
    kind: str,
    env: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    notebook_path: str | None = None,
) -> str:
    """Create the parent run (``source = "api"``) that the executions become children of."""
    run_id = new_run_id()
    store.create_run(
        run_id,
        name=name,
        experiment=experiment,
        source="api",
        notebook_path=notebook_path,
        env=env,
        params=dict(params or {}),
        tags={"kind": kind, **(tags or {})},
    )
    return run_id


def close_parent(
    store: Store, run_id: str, statuses: Iterable[str], interrupted: bool, what: str = "runs"
) -> str:
    """End the parent: interrupted, failed if any child did not finish, else finished."""
    statuses = list(statuses)
    bad = [s for s in statuses if s not in ("finished", "cached", "skipped")]
    from ..errors import RunError
    from .termination import cause

    error: RunError | None = None
    if interrupted:
        status = "interrupted"
        error = RunError("KeyboardInterrupt", f"interrupted ({cause()})", reason="interrupted")
    elif bad:
        status = "failed"
        error = RunError("ChildFailed", f"{len(bad)} of {len(statuses)} {what} did not finish")
    else:
        status = "finished"
    store.end_run(run_id, status, error=error.to_dict() if error else None, ended_at=time.time())
    return status


def summary_order(sort: str | None) -> str:
    """``-metrics.acc,params.lr`` (a leading ``-`` sorts descending) as an order-by expression
    of the store (``metrics.acc desc, params.lr``); checked, so a mistake stops the sweep
    before it starts."""
    from ..store.filter import parse_order_by

    if not sort or not sort.strip():
        return "started_at"
    keys = []
    for part in sort.split(","):
        part = part.strip()
        if part.startswith("-"):
            keys.append(f"{part[1:].strip()} desc")
        elif part.startswith("+"):
            keys.append(part[1:].strip())
        else:
            keys.append(part)
    expression = ", ".join(keys)
    parse_order_by(expression)
    return expression
