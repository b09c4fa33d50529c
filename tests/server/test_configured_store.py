"""``--MlopsApp.store``: one configured store for every request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.server import body, track_run


@pytest.fixture
def configured_store(tmp_path: Path) -> Path:
    return tmp_path / "team-store"


@pytest.fixture
def jp_server_config(configured_store: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}},
        "MlopsApp": {"store": str(configured_store)},
    }


async def test_the_configured_store_serves_every_path(
    api: Any, jp_root_dir: Path, configured_store: Path
) -> None:
    configured_store.mkdir()
    track_run(configured_store, "configured")
    (jp_root_dir / ".mlops").mkdir()
    track_run(jp_root_dir / ".mlops", "ignored")
    (jp_root_dir / "sub").mkdir()
    for path in ("", "sub"):
        page = body(await api("runs", params={"path": path}))
        assert [r["name"] for r in page["runs"]] == ["configured"]
        assert page["store"] == str(configured_store)


async def test_a_configured_store_that_is_a_file_is_explained(
    api: Any, configured_store: Path
) -> None:
    configured_store.write_text("oops")
    response = await api("runs", raise_error=False)
    assert response.code == 503
    reply = body(response)
    assert reply["error"] == "store_unavailable"
    assert "is a file, not a directory" in reply["detail"]
