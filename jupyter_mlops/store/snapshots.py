"""A notebook snapshot's stored form, and the rule that a stored snapshot is never trusted.

Any notebook file can claim trust (``"trusted": true`` in a cell's metadata, or a
``signature`` in the notebook's metadata), and a front end that honours the claim runs the
cell's HTML and JavaScript outputs. Jupyter's own contents API resets trust on load; a
snapshot is shown outside it (the sidebar, the widgets, a compare view), so the claim is
removed here: when a snapshot is stored, and again when one is read (snapshots stored
before this rule existed).

Checking costs a scan for a few byte strings; only a notebook that holds one of them is
parsed and written out again.
"""

from __future__ import annotations

import json
from typing import Any

from .blobs import compress_blob

# "\u0040" to "\u007f": an ASCII letter written as an escape (a key can be spelled
# "\u0074rusted"). ANSI colour codes in tracebacks ("\u001b") are not among them.
_ESCAPED_LETTERS = (b"\\u004", b"\\u005", b"\\u006", b"\\u007")


def _may_hold_trust(data: bytes) -> bool:
    """Whether ``data`` may claim trust: substring tests only, which run at memory speed."""
    if b'"trusted"' in data or b'"signature"' in data:
        return True
    return b"\\u00" in data and any(escape in data for escape in _ESCAPED_LETTERS)


def untrusted(notebook_json: bytes) -> bytes:
    """``notebook_json`` without trust: no cell ``metadata.trusted``, no notebook
    ``metadata.signature``. The same bytes when there was none; bytes that are not a JSON
    notebook are returned as they are (no front end renders them)."""
    if not _may_hold_trust(notebook_json):
        return notebook_json
    try:
        notebook = json.loads(notebook_json)
    except (ValueError, RecursionError):
        return notebook_json
    if not isinstance(notebook, dict) or not _strip(notebook):
        return notebook_json
    # nbformat's own layout (nbformat.writes), so a stripped snapshot reads like a saved file
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _strip(notebook: dict[str, Any]) -> bool:
    """Remove trust from ``notebook`` in place; whether there was any."""
    changed = False
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict) and "signature" in metadata:
        del metadata["signature"]
        changed = True
    cells: list[Any] = []
    for holder in [notebook, *(w for w in notebook.get("worksheets") or () if isinstance(w, dict))]:
        if isinstance(holder.get("cells"), list):
            cells.extend(holder["cells"])
    for cell in cells:
        cell_metadata = cell.get("metadata") if isinstance(cell, dict) else None
        if isinstance(cell_metadata, dict) and "trusted" in cell_metadata:
            del cell_metadata["trusted"]
            changed = True
    return changed


def snapshot_blob(notebook_json: bytes) -> tuple[str, int, bytes]:
    """What a snapshot is stored as: its digest, its size, and its compressed bytes, all of
    the untrusted form. Every writer of snapshots goes through here."""
    data = untrusted(notebook_json)
    digest, packed = compress_blob(data)
    return digest, len(data), packed
