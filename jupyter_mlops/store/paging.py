"""One page of runs: the one paging rule of every face (the REST API's ``GET runs``, the
widgets' run browser).

A page asked for past the last one (runs were deleted since the caller counted them) is the
last page, and says so through its ``offset``: a face keeps showing runs instead of an empty
page, and a client walking the pages stops once ``offset + len(runs) >= total``. The total
is counted only when the page itself cannot tell it (a first page shorter than ``limit``
holds every matching run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .entities import Run
    from .sqlstore import Store


@dataclass(frozen=True)
class RunPage:
    runs: list[Run]
    total: int  # runs matching, on every page
    offset: int  # of the first run shown: the one asked for, or the last page's
    limit: int


def last_offset(total: int, limit: int) -> int:
    """The offset of the last page of ``total`` runs, ``limit`` a page."""
    return max(0, (total - 1) // limit * limit) if total else 0


def page_runs(
    store: Store,
    filter: str | None = None,
    *,
    experiment: str | None = None,
    order_by: str | None = None,
    limit: int,
    offset: int = 0,
    previews: bool = True,
) -> RunPage:
    """The runs of one page (``limit`` at ``offset``) and how many match in all.

    ``previews`` (default for faces that list runs): long values cut, see ``search_runs``.
    Raises :class:`~jupyter_mlops.errors.FilterSyntaxError` for a bad filter or order."""
    if limit < 1 or offset < 0:
        raise ValueError(f"a page has a limit of at least 1 and an offset of at least 0, not {limit}, {offset}")

    def search(at: int) -> list[Run]:
        return list(store.search_runs(filter, experiment=experiment, order_by=order_by, limit=limit,
                                      offset=at, previews=previews))

    runs = search(offset)
    if offset == 0 and len(runs) < limit:
        return RunPage(runs, len(runs), 0, limit)
    total = store.count_runs(filter, experiment=experiment)
    if runs or total == 0:
        return RunPage(runs, total, offset, limit)
    at = last_offset(total, limit)  # past the end: the last page
    return RunPage(search(at), total, at, limit)


__all__ = ["RunPage", "last_offset", "page_runs"]
