"""Which store a request reads (``path=``, ``--MlopsApp.store``), and stores that cannot be opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.server import body, track_run


async def test_path_picks_the_store_a_kernel_there_would_find(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / ".mlops").mkdir()
    track_run(jp_root_dir / ".mlops", "top")
    project = jp_root_dir / "project"
    (project / ".mlops").mkdir(parents=True)
    (project / "notebooks" / "deep").mkdir(parents=True)
    track_run(project / ".mlops", "in project")
    assert [r["name"] for r in body(await api("runs"))["runs"]] == ["top"]
    for path in ("project", "project/notebooks/deep", "project/notebooks/deep/"):
        page = body(await api("runs", params={"path": path}))
        assert [r["name"] for r in page["runs"]] == ["in project"], path
        assert page["store"] == str(project / ".mlops")
    info = body(await api("info", params={"path": "project/notebooks"}))
    assert info["store"] == str(project / ".mlops")


async def test_a_notebook_path_stands_for_its_folder(api: Any, jp_root_dir: Path) -> None:
    project = jp_root_dir / "p"
    (project / ".mlops").mkdir(parents=True)
    (project / "train.ipynb").write_text("{}")
    track_run(project / ".mlops", "nb run")
    page = body(await api("runs", params={"path": "p/train.ipynb"}))
    assert [r["name"] for r in page["runs"]] == ["nb run"]


async def test_a_store_nobody_created_lists_nothing_and_is_not_created(
    api: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data_dir))
    (jp_root_dir / "empty").mkdir()
    page = body(await api("runs", params={"path": "empty"}))
    assert page == {"runs": [], "total": 0, "offset": 0, "more": False, "store": str(data_dir / "mlops")}
    assert body(await api("experiments", params={"path": "empty"})) == {"experiments": []}
    info = body(await api("info", params={"path": "empty"}))
    assert info["store_exists"] is False
    response = await api("runs", "anything", params={"path": "empty"}, raise_error=False)
    assert (response.code, body(response)["error"]) == (404, "run_not_found")
    assert not (data_dir / "mlops").exists()
    response = await api("runs", params={"path": "empty", "filter": "name ="}, raise_error=False)
    assert (response.code, body(response)["error"]) == (400, "invalid_filter")


async def test_a_damaged_store_is_explained(api: Any, jp_root_dir: Path) -> None:
    store = jp_root_dir / "broken" / ".mlops"
    store.mkdir(parents=True)
    (store / "mlops.db").write_bytes(b"this is not a database, just some text" * 100)
    response = await api("runs", params={"path": "broken"}, raise_error=False)
    assert response.code == 503
    reply = body(response)
    assert reply["error"] == "store_unavailable"
    assert str(store) in reply["detail"]
    assert "not a database" in reply["detail"]
