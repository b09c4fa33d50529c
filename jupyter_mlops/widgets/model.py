"""What the run browser shows, without any widget: queries, pages, columns and cell texts.

The widgets in this package only draw what these objects say, so the logic is tested
(and reusable) without a front end.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..render.text import format_duration, format_time, format_value

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
MAX_KEY_COLUMNS = 5
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-/:]*\Z")
#: Fields whose first click sorts from the largest down (newest, longest, best score).
_DESCENDING_FIRST = ("started_at", "ended_at", "duration")


@dataclass(frozen=True)
class Column:
    """One column of the runs table."""

    key: str  # "name", "status", "params.lr", "metrics.val loss", ...
    label: str
    order_field: str | None  # the filter-language field to sort by; None: not sortable

    @property
    def kind(self) -> str:
        """``attribute``, ``params`` or ``metrics``."""
        head = self.key.split(".", 1)[0]
        return head if head in ("params", "metrics") and "." in self.key else "attribute"

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1] if self.kind != "attribute" else self.key


BASE_COLUMNS: tuple[Column, ...] = (
    Column("name", "name", "name"),
    Column("experiment", "experiment", "experiment"),
    Column("status", "status", "status"),
    Column("started", "started", "started_at"),
    Column("duration", "duration", "duration"),
)
ID_COLUMN = Column("id", "id", "id")


def key_field(kind: str, key: str) -> str | None:
    """The filter-language field naming ``key`` of ``params``/``metrics``/``tags`` (None when
    the key cannot be written in the language: it holds a backtick)."""
    if _PLAIN_KEY.match(key):
        return f"{kind}.{key}"
    if "`" in key:
        return None
    return f"{kind}.`{key}`"


def key_column(kind: str, key: str) -> Column:
    return Column(f"{kind}.{key}", f"{kind}.{key}", key_field(kind, key))


def choose_columns(
    runs: Sequence[Run], sort_field: str | None = None, max_keys: int = MAX_KEY_COLUMNS
) -> list[Column]:
    """Base columns, then up to ``max_keys`` param and metric keys found on these runs
    (system metrics left out); the column being sorted by is always among them."""
    columns = list(BASE_COLUMNS)
    for kind in ("params", "metrics"):
        seen: dict[str, None] = {}
        for run in runs:
            for key in getattr(run, kind):
                if not (kind == "metrics" and key.startswith("system/")):
                    seen.setdefault(key, None)
        keys = sorted(seen)[:max_keys]
        chosen = [key_column(kind, key) for key in keys]
        if (
            sort_field
            and sort_field.startswith(f"{kind}.")
            and all(c.order_field != sort_field for c in chosen)
        ):
            name = sort_field.split(".", 1)[1].strip("`")
            chosen.append(key_column(kind, name))
        columns.extend(chosen)
    return columns


def cell_text(run: Run, column: Column) -> str:
    """The text of one cell (empty when the run has no such param or metric)."""
    kind = column.kind
    if kind in ("params", "metrics"):
        values = getattr(run, kind)
        return format_value(values[column.name]) if column.name in values else ""
    if column.key == "started":
        return format_time(run.started_at)
    if column.key == "duration":
        return format_duration(run.duration)
    return str(getattr(run, column.key))


@dataclass(frozen=True)
class Query:
    """Which runs the table shows: experiment, filter, order and page."""

    experiment: str | None = None
    filter: str = ""
    sort_field: str = "started_at"
    descending: bool = True
    page: int = 0
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def order_by(self) -> str:
        return f"{self.sort_field} {'desc' if self.descending else 'asc'}"

    @property
    def offset(self) -> int:
        return self.page * self.page_size

    def sorted_by(self, field: str) -> Query:
        """Sort by ``field``: a second click on the same field turns the order round."""
        if field == self.sort_field:
            return replace(self, descending=not self.descending, page=0)
        descending = field in _DESCENDING_FIRST or field.startswith("metrics.")
        return replace(self, sort_field=field, descending=descending, page=0)

    def with_changes(self, **changes: object) -> Query:
        """A copy with ``changes``; any change but the page goes back to the first page."""
        if "page" not in changes:
            changes["page"] = 0
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Page:
    """One page of runs and where it sits among all the runs that match."""

    runs: Sequence[Run]
    total: int
    query: Query

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def has_previous(self) -> bool:
        return self.query.page > 0

    @property
    def has_next(self) -> bool:
        return self.query.offset + len(self.runs) < self.total

    @property
    def label(self) -> str:
        if not self.runs:
            return f"no runs of {self.total:,}" if self.total else "no runs"
        first = self.query.offset + 1
        last = self.query.offset + len(self.runs)
        return f"{first:,}–{last:,} of {self.total:,}"

    @property
    def running(self) -> list[Run]:
        return [run for run in self.runs if run.status == "running"]


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """``store`` itself, or the store at that location (default: this project's)."""
    from ..store import open_store
    from ..store.sqlstore import Store

    return store if isinstance(store, Store) else open_store(store)


def fetch_page(store: Store, query: Query) -> Page:
    """The runs of ``query``'s page and the number of runs matching it. A page past the end
    (runs were deleted meanwhile) is the last page, as in every face (``store.paging``).

    Raises :class:`~jupyter_mlops.errors.FilterSyntaxError` for a bad filter or order."""
    from ..store.paging import page_runs

    page = page_runs(
        store,
        query.filter or None,
        experiment=query.experiment,
        order_by=query.order_by,
        limit=query.page_size,
        offset=query.offset,
    )
    if page.offset != query.offset:
        query = replace(query, page=page.offset // query.page_size)
    return Page(page.runs, page.total, query)
