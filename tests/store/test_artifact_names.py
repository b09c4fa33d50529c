"""Artifact names that read as paths leaving a folder are refused when logged."""

from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidInput
from jupyter_mlops.store import open_store

BAD = ["../x", "/abs", "\\abs", "C:x", "c:\\model.pkl", "a\\..\\b", "a/../b", "..", "nul\x00byte"]
GOOD = ["model.pkl", "plots/loss.png", "a..b", ".hidden", "deep/er/name.txt", "with space.txt"]


@pytest.mark.parametrize("name", BAD)
def test_a_name_leaving_its_folder_is_refused_with_the_rule(store_location: str, tmp_path: Path, name: str) -> None:
    source = tmp_path / "model.pkl"
    source.write_bytes(b"weights")
    with mlops.start_run(store=store_location) as run:
        with pytest.raises(InvalidInput) as caught:
            mlops.log_artifact(source, name=name)
        assert "no '..' part" in str(caught.value) and "drive letter" in str(caught.value)
        with pytest.raises(InvalidInput):
            open_store(store_location).log_artifact_bytes(run.id, name, b"x")
    assert open_store(store_location).artifacts(run.id) == []


def test_names_with_folders_are_kept(store_location: str, tmp_path: Path) -> None:
    source = tmp_path / "model.pkl"
    source.write_bytes(b"weights")
    with mlops.start_run(store=store_location) as run:
        for name in GOOD:
            mlops.log_artifact(source, name=name)
    store = open_store(store_location)
    assert sorted(a.name for a in store.artifacts(run.id)) == sorted(GOOD)
    assert store.artifact_bytes(run.id, "plots/loss.png") == b"weights"
