"""The values a param took across an experiment's runs: a form that edits the param offers
them to pick from when they are a short list (``opt`` in adam, sgd, rmsprop)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from . import schema as s

if TYPE_CHECKING:
    from .sqlstore import Store


def param_choices(store: Store, experiment: str, key: str, *, most: int = 8) -> list[Any] | None:
    """The distinct values of param ``key`` in ``experiment``'s runs, sorted, when there are
    two to ``most`` of them; None when there are more (no short list) or fewer."""
    query = (
        select(s.params.c.value)
        .join(s.runs, s.runs.c.id == s.params.c.run_id)
        .where(s.params.c.key == key, s.runs.c.experiment == experiment)
        .distinct()
        .limit(most + 1)
    )
    with store._read() as conn:
        texts = list(conn.execute(query).scalars())
    if not 2 <= len(texts) <= most:
        return None
    return sorted((json.loads(text) for text in texts), key=lambda v: json.dumps(v))
