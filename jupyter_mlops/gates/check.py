"""``mlops.check``: the gates of one run, for Python callers and every face (``check``,
``report``, ``promote``) alike."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..compare.direction import direction_overrides
from ..errors import InvalidInput
from .gates import CheckResult, Limit, evaluate
from .refs import find_baseline, find_run, wait_for_end

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store


def open_for(store: Any) -> Store:
    from ..store import open_store
    from ..store.sqlstore import Store

    return store if isinstance(store, Store) else open_store(None if store is None else os.fspath(store))


def resolve_run(store: Store, run: Any, wait: float | None = None) -> Run:
    """The ended run ``run`` names (an id, a prefix, ``latest:FILTER``, a Run or an active run)."""
    if isinstance(run, str):
        found = find_run(store, run)
    elif getattr(run, "id", None) and isinstance(run.id, str):
        found = store.get_run(run.id)  # re-read: an active run's object lags behind the store
    else:
        raise InvalidInput(f"run must be a run id, latest:FILTER or a Run, got {type(run).__name__}")
    return wait_for_end(store, found, wait)


def resolve_baseline(store: Store, baseline: Any, run: Run) -> Run | None:
    if baseline is None:
        return None
    if isinstance(baseline, str):
        return find_baseline(store, baseline, run)
    if getattr(baseline, "id", None) and isinstance(baseline.id, str):
        return store.get_run(baseline.id)
    raise InvalidInput(f"baseline must be a run id, model:NAME@ALIAS, model:NAME/VERSION, best:ORDER "
                       f"or a Run, got {type(baseline).__name__}")


def overrides_of(higher_is_better: Iterable[str] = (), lower_is_better: Iterable[str] = ()) -> dict[str, Any]:
    """The direction overrides two lists of metric names give (a name in both: a usage error)."""
    try:
        return dict(direction_overrides(higher_is_better, lower_is_better))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def check(
    run: Any,
    baseline: Any = None,
    require: Iterable[str] | str = (),
    max_regression: Mapping[str, Limit | str | float] | None = None,
    *,
    higher_is_better: Iterable[str] = (),
    lower_is_better: Iterable[str] = (),
    wait: float | None = None,
    store: Any = None,
) -> CheckResult:
    """The gates of ``run`` against ``baseline``: ``result.passed`` when every one holds.

    ``run``: a run id (or unique prefix), ``"latest:FILTER"`` or a Run; a running run is waited
    for up to ``wait`` seconds, else refused. ``baseline``: a run id, ``"model:NAME@ALIAS"``,
    ``"model:NAME/VERSION"``, ``"best:ORDER"`` or a Run. ``require``: filter expressions that
    must hold for the run. ``max_regression``: metric -> largest allowed regression (a number,
    or text such as ``"0.5%"``), in the metric's better direction unless ``higher_is_better`` /
    ``lower_is_better`` name it.
    """
    overrides = overrides_of(higher_is_better, lower_is_better)
    the_store = open_for(store if store is not None else getattr(run, "_store", None) or getattr(run, "store", None))
    the_run = resolve_run(the_store, run, wait)
    return evaluate(the_store, the_run, resolve_baseline(the_store, baseline, the_run), require,
                    max_regression, overrides)


__all__ = ["check", "open_for", "overrides_of", "resolve_baseline", "resolve_run"]
