"""Reading a notebook file as plain JSON: cells, kernel, the ``parameters`` cell, a content hash.

Plain ``json`` keeps checks (and a pipeline whose steps are all cached) free of nbformat's
slow import; papermill and nbformat load only when a notebook is really executed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NotebookError

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_tags(cell: dict[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [str(t) for t in tags] if isinstance(tags, list) else []


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

    def injected_parameters(self) -> dict[str, Any]:
        """Parameters papermill injected when this notebook was executed (a snapshot's)."""
        papermill = self.content.get("metadata", {}).get("papermill") or {}
        parameters = papermill.get("parameters") if isinstance(papermill, dict) else None
        return dict(parameters) if isinstance(parameters, dict) else {}

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
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"cannot read the notebook {file}: {exc}") from exc
    return parse_notebook(text, str(file.resolve()), str(file))


def parse_notebook(text: str | bytes, path: str | None, origin: str) -> Notebook:
    try:
        content = json.loads(text)
    except ValueError as exc:
        raise NotebookError(
            f"{origin} is not a notebook: it is not JSON ({exc}); give an .ipynb file saved by "
            "Jupyter (convert a script with `jupytext --to ipynb`)"
        ) from exc
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        raise NotebookError(f"{origin} is not a notebook: no list of cells at its top level")
    major = content.get("nbformat")
    if major != 4:
        raise NotebookError(
            f"{origin} is in notebook format {major!r}; the runner reads format 4, which Jupyter "
            "has written since 2015: open and save it in JupyterLab, or `jupyter nbconvert --to "
            "notebook` it"
        )
    for index, cell in enumerate(content["cells"]):
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise NotebookError(f"{origin} is not a valid notebook: cell {index} has no cell_type")
    content.setdefault("metadata", {})
    return Notebook(content, path, origin)
