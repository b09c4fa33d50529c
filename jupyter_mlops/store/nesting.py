"""Runs as a tree: sweeps and pipelines are parent runs, each of their notebook executions a
child. A list face (the sidebar, ``GET runs?nested=1``) shows the top-level runs with how many
children each has, and lists a parent's children when it is expanded, as MLflow's runs table
does. The filter language already names ``parent_id``; this module only says which runs a
nested page holds and counts children, so every face nests the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ..errors import InvalidInput
from . import schema as s

if TYPE_CHECKING:
    from .sqlstore import Store

#: What a run id may look like here (ids are base 32; runs imported from elsewhere keep
#: theirs, which are letters, digits, ``-`` and ``_``).
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def nested_filter(filter: str | None, *, top_level: bool = False, parent: str | None = None) -> str | None:
    """The filter text of a nested page: ``filter`` restricted to the top-level runs
    (``top_level``) or to the children of ``parent``. ``filter`` must already parse (it is
    put in parentheses, so its own ``or`` cannot escape the restriction)."""
    if parent is not None:
        if not _RUN_ID.fullmatch(parent):
            raise InvalidInput(
                f"parent must be a run id (letters, digits, '-' and '_'), got {parent[:80]!r}"
            )
        restriction = f"parent_id = '{parent}'"
    elif top_level:
        restriction = "parent_id is null"
    else:
        return filter
    return f"({filter}) and {restriction}" if filter and filter.strip() else restriction


def child_counts(store: Store, run_ids: Iterable[str]) -> dict[str, int]:
    """How many child runs each of ``run_ids`` has (runs without children are left out)."""
    ids = list(dict.fromkeys(run_ids))
    counts: dict[str, int] = {}
    with store._read() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(s.runs.c.parent_id, func.count())
                .where(s.runs.c.parent_id.in_(chunk))
                .group_by(s.runs.c.parent_id)
            )
            counts.update({parent: int(count) for parent, count in conn.execute(query)})
    return counts
