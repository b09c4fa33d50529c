"""Lists cut long values at one boundary, keep short ones whole and typed, on both databases."""

from __future__ import annotations

import json

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store
from jupyter_mlops.store.previews import PREVIEW_CHARS, Preview


def test_the_boundary_and_types_of_list_previews(store_location: str) -> None:
    at_limit = list(range(1000))
    while len(json.dumps(at_limit)) > PREVIEW_CHARS:
        at_limit.pop()
    params = {
        "just_fits": "a" * PREVIEW_CHARS,  # its JSON text is longer, the value itself fits
        "one_over": "b" * (PREVIEW_CHARS + 1),
        "quotes": '"' * 600,  # 1,202 characters of JSON, 600 of text
        "list_at_limit": at_limit,
        "list_over": list(range(400)),  # PostgreSQL indexes values up to about 2,700 bytes
        "unicode": "é" * (PREVIEW_CHARS + 5),
        "number": 0.1,
        "none": None,
    }
    with mlops.start_run(name="p", params=params, tags={"t": "ü" * 1200},
                         store=store_location) as run:
        mlops.output("path", "x" * 3000)
    store = open_store(store_location)
    open_store(store_location).update_run(run.id, note="n" * PREVIEW_CHARS)
    (listed,) = store.search_runs(previews=True)
    got = listed.params
    assert got["just_fits"] == "a" * PREVIEW_CHARS and not isinstance(got["just_fits"], Preview)
    assert isinstance(got["one_over"], Preview) and got["one_over"].head == "b" * PREVIEW_CHARS
    assert got["one_over"].length == PREVIEW_CHARS + 1 and str(got["one_over"]).endswith("…")
    assert got["quotes"] == '"' * 600
    assert got["list_at_limit"] == at_limit
    assert isinstance(got["list_over"], Preview)
    assert got["list_over"].length == len(json.dumps(list(range(400))))
    assert got["unicode"].head == "é" * PREVIEW_CHARS and got["unicode"].length == PREVIEW_CHARS + 5
    assert got["number"] == 0.1 and got["none"] is None
    assert listed.tags["t"].length == 1200 and listed.outputs["path"].length == len(json.dumps("x" * 3000))  # outputs: their JSON text
    assert listed.note == "n" * PREVIEW_CHARS and not isinstance(listed.note, Preview)
    full = store.get_run(run.id)
    assert full.params == params and full.tags == {"t": "ü" * 1200} and full.outputs == {"path": "x" * 3000}
