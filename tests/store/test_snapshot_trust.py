"""A stored notebook snapshot is never trusted, however it was stored."""

from __future__ import annotations

import json
import zlib

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

import jupyter_mlops as mlops
from jupyter_mlops.store import open_store
from jupyter_mlops.store import schema as s
from jupyter_mlops.store.blobs import compress_blob
from jupyter_mlops.store.snapshots import untrusted

XSS = '<img src=x onerror=alert(1)>'


def trusted_notebook(key: str = '"trusted"') -> bytes:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(HTML(...))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": XSS})]
    cell.metadata["trusted"] = True
    nb.cells = [nbformat.v4.new_markdown_cell("# hi"), cell]
    nb.cells[0].metadata["trusted"] = True
    nb.metadata["signature"] = "sha256:" + "0" * 64
    # json, not nbformat.writes: nbformat drops trust when it writes, a hand-made file need not
    data = json.dumps(nb, indent=1).replace('"trusted"', key).encode()
    assert key.encode() in data and b'"signature"' in data
    return data


def _no_trust(data: bytes) -> None:
    nb = json.loads(data)
    assert "signature" not in nb["metadata"]
    assert all("trusted" not in cell["metadata"] for cell in nb["cells"])
    assert XSS in data.decode()  # the output is kept, only its trust goes


@pytest.mark.parametrize("key", ['"trusted"', '"\\u0074rusted"'])
def test_a_trusted_snapshot_is_stored_untrusted_through_every_writer(store_location: str, key: str) -> None:
    data = trusted_notebook(key)
    store = open_store(store_location)
    with mlops.start_run(store=store) as staged:  # how %%track stores a cell's notebook
        staged.stage(snapshot=data)
    with mlops.start_run(store=store) as direct:  # how the runner stores an executed notebook
        pass
    store.set_snapshot(direct.id, data)
    for run_id in (staged.id, direct.id):
        _no_trust(store.snapshot_bytes(run_id))
        with store._read() as conn:  # the stored bytes themselves, not only what is read back
            (packed,) = conn.execute(s.snapshot_blobs.select().with_only_columns(s.snapshot_blobs.c.data)).first()
        _no_trust(zlib.decompress(packed))
        snapshot = store.get_run(run_id).snapshot()
        assert all("trusted" not in cell.metadata for cell in snapshot.cells)


def test_a_snapshot_stored_trusted_before_is_read_untrusted(store_location: str) -> None:
    data = trusted_notebook()
    store = open_store(store_location)
    with mlops.start_run(store=store) as run:
        pass
    digest, packed = compress_blob(data)  # what an older version stored: the file as it was
    with store._write() as conn:
        conn.execute(s.snapshot_blobs.insert().values(digest=digest, size=len(data), data=packed))
        conn.execute(update(s.runs).where(s.runs.c.id == run.id).values(snapshot=digest))
    _no_trust(store.snapshot_bytes(run.id))
    assert "trusted" not in store.get_run(run.id).snapshot().cells[1].metadata


def test_a_notebook_without_trust_is_kept_byte_for_byte() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('\\u001b[31m')")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="\x1b[31mred trusted text")]
    data = nbformat.writes(nb).encode()
    assert untrusted(data) is data  # not even re-serialised


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_untrusted_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    result = untrusted(data)
    assert isinstance(result, bytes)


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["trusted", "metadata", "cells", "signature", "x"]),
                                      inner, max_size=4), max_leaves=20))
def test_untrusted_handles_any_json_shape(value: object) -> None:
    data = json.dumps(value).encode()
    result = json.loads(untrusted(data))
    if isinstance(result, dict):
        cells = result.get("cells")
        for cell in cells if isinstance(cells, list) else []:
            if isinstance(cell, dict) and isinstance(cell.get("metadata"), dict):
                assert "trusted" not in cell["metadata"]
