"""One page of runs: the one paging rule of every face (the REST API's ``GET runs``, the
widgets' run browser).

A page asked for past the last one (runs were deleted since the caller counted them) is the
last page, and says so through its ``offset``: a face keeps showing runs instead of an empty
page, and a client walking the pages stops once ``offset + len(runs) >= total``. The total
is counted only when the page itself cannot tell it (a first page shorter than ``limit``
holds every matching run). A face that shows rows before their count (the sidebar: counting
13,907 of 100,000 runs filtered on three values takes longer than finding a page of them)
asks for a page without it (``count=False``): ``total`` is then ``None`` and ``more`` says
whether runs follow the page; it counts them with :meth:`Store.count_runs` afterwards.
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
    total: int | None  # runs matching, on every page (None: not counted, see ``more``)
    offset: int  # of the first run shown: the one asked for, or the last page's
    limit: int
    more: bool = False  # runs match past this page


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
    count: bool = True,
) -> RunPage:
    """The runs of one page (``limit`` at ``offset``) and how many match in all (``count``;
    else ``total`` is ``None`` and ``more`` says whether runs follow).

    ``previews`` (default for faces that list runs): long values cut, see ``search_runs``.
    Raises :class:`~jupyter_mlops.errors.FilterSyntaxError` for a bad filter or order."""
    if limit < 1 or offset < 0:
        raise ValueError(f"a page has a limit of at least 1 and an offset of at least 0, not {limit}, {offset}")

    def search(at: int, extra: int = 0) -> list[Run]:
        return list(store.search_runs(filter, experiment=experiment, order_by=order_by, limit=limit + extra,
                                      offset=at, previews=previews))

    runs = search(offset, 0 if count else 1)  # without a count, one run more tells whether more follow
    more, runs = len(runs) > limit, runs[:limit]
    if offset == 0 and len(runs) < limit:
        return RunPage(runs, len(runs), 0, limit)
    if not count and runs:
        return RunPage(runs, None, offset, limit, more)
    total = store.count_runs(filter, experiment=experiment)
    if runs or total == 0:
        return RunPage(runs, total, offset, limit, offset + len(runs) < total)
    at = last_offset(total, limit)  # past the end: the last page
    return RunPage(search(at), total, at, limit)


__all__ = ["RunPage", "last_offset", "page_runs"]
