"""``latest:FILTER`` names the newest run a filter matches, in every face that takes a run."""

from __future__ import annotations

import pytest

from jupyter_mlops.errors import InvalidInput
from jupyter_mlops.store import open_store


def test_latest_filter_is_the_newest_matching_run(tmp_path) -> None:
    store = open_store(tmp_path / ".mlops")
    store.create_run("older0000001", name="train", experiment="default", started_at=1.0)
    store.create_run("newer0000001", name="train", experiment="default", started_at=2.0)
    store.create_run("other0000001", name="other", experiment="default", started_at=3.0)
    assert store.find_run("latest:name = 'train'").id == "newer0000001"
    assert store.find_run("latest:").id == "other0000001"
    with pytest.raises(InvalidInput, match="no run matches the filter"):
        store.find_run("latest:name = 'nobody'")
