"""The run store: entities, SQL store, blob store and filter language."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from ..config import resolve_location

if TYPE_CHECKING:
    from .sqlstore import Store

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def open_store(location: str | os.PathLike[str] | None = None, cwd: str | None = None) -> Store:
    """The store at ``location`` (resolved as DESIGN's location rules say), opened once per process."""
    resolved = resolve_location(location, cwd)
    with _lock:
        store = _stores.get(resolved)
        if store is None:
            from .sqlstore import Store

            store = _stores[resolved] = Store(resolved)
        return store


def forget_stores() -> None:
    """Close every store this process opened (tests, forks)."""
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
