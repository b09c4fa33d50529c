"""Content-addressed blobs: stored once, never half-written under their final name."""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import zlib
from pathlib import Path

import pytest

from jupyter_mlops.errors import StoreError
from jupyter_mlops.store import blobs
from jupyter_mlops.store.blobs import BlobStore


def test_the_same_bytes_are_stored_once_and_read_back(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    digest = store.put(b"notebook")
    assert store.put(b"notebook") == digest and store.get(digest) == b"notebook"
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 1 and zlib.decompress(files[0].read_bytes()) == b"notebook"
    source = tmp_path / "model.bin"
    source.write_bytes(b"weights" * 1000)
    assert store.put_file(source) == (store.put(b"weights" * 1000), 7000)


def test_a_leftover_temporary_file_of_a_dead_process_is_replaced(tmp_path: Path, monkeypatch) -> None:
    store = BlobStore(tmp_path / "blobs")
    store.put(b"first")  # makes the fan-out folder of the next blob's digest known
    monkeypatch.setattr(blobs, "_serial", itertools.count())
    digest = hashlib.sha256(b"second").hexdigest()
    folder = tmp_path / "blobs" / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    leftover = folder / f".tmp-{os.getpid()}-{threading.get_ident()}-0"
    leftover.write_bytes(b"half written")
    assert store.get(store.put(b"second")) == b"second"
    assert not leftover.exists() and not list(folder.glob(".tmp-*"))


def test_a_missing_or_malformed_blob_is_a_clear_error(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(StoreError, match="missing"):
        store.get("0" * 64)
    with pytest.raises(StoreError, match="not a blob digest"):
        store.get("../../etc/passwd")
