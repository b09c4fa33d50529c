"""Long values in lists: one rule for every face that lists runs.

A list of runs (REST ``GET runs``, the CLI's table, the widgets' table) carries each param,
tag, output and note of up to :data:`PREVIEW_CHARS` characters whole; a longer one comes as
a :class:`Preview`: its first characters and its full length. The database cuts the value,
so a 10 MB param never travels into a list page. A run's detail (``Store.get_run``) always
has the whole value.

Text faces show a preview as its characters followed by ``…``; JSON faces send
``{"preview": "...", "truncated": true, "length": N}`` (see :meth:`Preview.to_json`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

PREVIEW_CHARS = 1000
ELLIPSIS = "…"


class Preview(str):
    """The start of a value too long for a list. As text: its first characters and ``…``."""

    head: str
    length: int  # characters of the whole value: its text (params: JSON text unless a string; outputs: JSON text)

    def __new__(cls, head: str, length: int) -> Preview:
        value = super().__new__(cls, head + ELLIPSIS)
        value.head = head
        value.length = length
        return value

    def __reduce__(self) -> Any:
        return (Preview, (self.head, self.length))

    def to_json(self) -> dict[str, Any]:
        return {"preview": self.head, "truncated": True, "length": self.length}


def cut(column: Any) -> tuple[Any, Any]:
    """SQL for a list: the column's first PREVIEW_CHARS + 1 characters (``substr`` stops
    there) and its length in characters (one pass over a long value, none over a short one's
    rest)."""
    return func.substr(column, 1, PREVIEW_CHARS + 1), func.length(column)


def preview(head: str | None, length: int | None) -> str | None:
    """A value as :func:`cut` fetched it: the whole text when it fits, else a :class:`Preview`."""
    if head is None or length is None or length <= PREVIEW_CHARS:
        return head
    return Preview(head[:PREVIEW_CHARS], length)


def whole(head: str | None) -> bool:
    """Whether ``head`` (from :func:`cut`) is the whole value."""
    return head is not None and len(head) <= PREVIEW_CHARS
