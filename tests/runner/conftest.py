from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.runner import write_notebook


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    """``notebook("name", parameters_source, *cell_sources)`` writes tmp_path/name.ipynb."""

    def make(
        name: str, parameters: str | None, *cells: str, kernel: str | None = "python3"
    ) -> Path:
        return write_notebook(tmp_path / f"{name}.ipynb", parameters, *cells, kernel=kernel)

    return make
