"""A notebook file read as plain JSON: its cells, their tags, its kernel, a content hash.

Plain ``json`` keeps checks (and a pipeline whose steps are all cached) free of nbformat's
slow import; nbformat loads only to upgrade a notebook older than format 4.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInput

#: The cell whose assignments are a notebook's parameters (papermill's convention).
PARAMETERS_TAG = "parameters"
#: The cell papermill writes after it with the values a run was given.
INJECTED_TAG = "injected-parameters"
#: The marker cells papermill adds above a failed cell.
ERROR_MARKER_TAG = "papermill-error-cell-tag"
PARAMETER_TAGS = (PARAMETERS_TAG, INJECTED_TAG)


class NotebookError(InvalidInput):
    """The notebook is missing, unreadable or not a notebook."""


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_tags(cell: dict[str, Any]) -> list[str]:
    metadata = cell.get("metadata")
    tags = (metadata.get("tags") if isinstance(metadata, dict) else None) or []
    return [str(t) for t in tags] if isinstance(tags, list) else []


def is_papermill_cell(cell: dict[str, Any]) -> bool:
    """A cell papermill added (injected parameters, error markers), not one the user wrote."""
    tags = cell_tags(cell)
    return INJECTED_TAG in tags or ERROR_MARKER_TAG in tags


@dataclass
class Notebook:
    """A notebook document with where it came from (``path`` is None for a stored snapshot)."""

    content: dict[str, Any]
    path: str | None
    origin: str  # shown in messages: the path, or "the snapshot of run X"

    @property
    def cells(self) -> list[dict[str, Any]]:
        return self.content["cells"]  # type: ignore[no-any-return]

    @property
    def kernel_name(self) -> str | None:
        spec = self.content.get("metadata", {}).get("kernelspec") or {}
        name = spec.get("name") if isinstance(spec, dict) else None
        return str(name) if name else None

    @property
    def language(self) -> str | None:
        metadata = self.content.get("metadata", {})
        info = metadata.get("language_info") or {}
        spec = metadata.get("kernelspec") or {}
        language = (info.get("name") if isinstance(info, dict) else None) or (
            spec.get("language") if isinstance(spec, dict) else None
        )
        return str(language) if language else None

    def parameters_cell(self) -> tuple[int, str] | None:
        """Index and source of the first cell tagged ``parameters``."""
        for index, cell in enumerate(self.cells):
            if PARAMETERS_TAG in cell_tags(cell):
                return index, cell_source(cell)
        return None

    def for_execution(self) -> dict[str, Any]:
        """A copy without outputs or papermill's error markers: what runs again. An injected
        parameters cell stays, as papermill keeps it: new parameters replace it."""
        cells = []
        for cell in self.cells:
            if ERROR_MARKER_TAG in cell_tags(cell):
                continue
            cell = dict(cell, source=cell_source(cell))
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
            cells.append(cell)
        return {**self.content, "cells": cells}

    def content_hash(self, kernel_name: str | None = None) -> str:
        """Hash of what decides a run's result: cell types and sources, and the kernel.

        Outputs, execution counts and metadata do not count (the parameters given to a run
        are hashed separately, as resolved values).
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(kernel_name or self.kernel_name).encode())
        for cell in self.for_execution()["cells"]:
            digest.update(b"\0" + str(cell.get("cell_type", "")).encode() + b"\0")
            digest.update(cell_source(cell).encode("utf-8"))
        return digest.hexdigest()


def load_notebook(path: str | os.PathLike[str]) -> Notebook:
    """Read a notebook file; a clear :class:`NotebookError` when it is missing or not a notebook."""
    file = Path(path).expanduser()
    if not file.exists():
        raise NotebookError(
            f"notebook {os.fspath(path)} does not exist; check the path "
            f"(relative paths start at {os.getcwd()})"
        )
    if file.is_dir():
        raise NotebookError(
            f"{file} is a directory, not a notebook; give the path of an .ipynb file"
        )
    try:
        text = file.read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot read the notebook {file}: {exc.strerror or exc}") from exc
    return parse_notebook(text, str(file.resolve()), str(file))


def parse_notebook(text: str | bytes, path: str | None, origin: str) -> Notebook:
    """A notebook of format 4 from its JSON text (older formats are refused: say how to upgrade)."""
    return Notebook(parse_content(text, origin), path, origin)


def parse_content(text: str | bytes, origin: str, *, upgrade: bool = False) -> dict[str, Any]:
    """The JSON document of a notebook, checked: a list of cells, each with a ``cell_type``.

    With ``upgrade`` a notebook older than format 4 is converted (nbformat loads for it);
    without, it is refused with how to upgrade it.
    """
    try:
        content = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotebookError(
            f"{origin} is not a notebook: it is not valid JSON ({exc}); it may be half-saved, "
            "or not an .ipynb file saved by Jupyter (convert a script with `jupytext --to ipynb`)"
        ) from exc
    if not isinstance(content, dict):
        raise NotebookError(f"{origin} is not a notebook: no list of cells at its top level")
    major = content.get("nbformat", 4 if upgrade else None)
    if upgrade and isinstance(major, int) and major < 4 and isinstance(content.get("worksheets"), list):
        content = _upgraded(content, origin)
        major = 4
    if not isinstance(content.get("cells"), list) and not isinstance(content.get("worksheets"), list):
        raise NotebookError(f"{origin} is not a notebook: no list of cells at its top level")
    if major != 4 or not isinstance(content.get("cells"), list):
        raise NotebookError(
            f"{origin} is in notebook format {major!r}; the runner reads format 4, which Jupyter "
            "has written since 2015: open and save it in JupyterLab, or `jupyter nbconvert --to "
            "notebook` it"
        )
    for index, cell in enumerate(content["cells"]):
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise NotebookError(f"{origin} is not a valid notebook: cell {index} has no cell_type")
    if not isinstance(content.get("metadata"), dict):
        content["metadata"] = {}
    return content


def _upgraded(content: dict[str, Any], origin: str) -> dict[str, Any]:
    import nbformat

    try:
        return dict(nbformat.convert(nbformat.from_dict(content), 4))
    except Exception as exc:  # noqa: BLE001 - any conversion failure means unreadable
        raise NotebookError(f"cannot convert the old-format notebook {origin}: {exc}") from exc


__all__ = [
    "ERROR_MARKER_TAG",
    "INJECTED_TAG",
    "PARAMETERS_TAG",
    "PARAMETER_TAGS",
    "Notebook",
    "NotebookError",
    "cell_source",
    "cell_tags",
    "is_papermill_cell",
    "load_notebook",
    "parse_content",
    "parse_notebook",
]
