"""Content-addressed blobs: stored once, never half-written under their final name."""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import tracemalloc
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


def _pieces(store: BlobStore, digest: str, size: int) -> list[bytes]:
    with store.open(digest) as reader:
        return list(iter(lambda: reader.read(size), b""))


def test_a_blob_reads_back_in_pieces_whichever_way_it_was_written(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = os.urandom(300_000) + b"tail" * 100_000
    whole = store.put(data)  # one zlib.compress call, as blobs have always been written
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    streamed, size = store.put_file(source)
    assert streamed == whole and size == len(data)
    pieces = _pieces(store, whole, 65_536)
    assert b"".join(pieces) == data and max(map(len, pieces)) <= 65_536
    # What put_file writes stays readable by the one-shot path and by plain zlib.
    (tmp_path / "other.bin").write_bytes(data[::-1])
    reversed_digest, _ = store.put_file(tmp_path / "other.bin")
    stored = tmp_path / "blobs" / reversed_digest[:2] / reversed_digest[2:]
    assert zlib.decompress(stored.read_bytes()) == data[::-1] == store.get(reversed_digest)
    with store.open(whole) as reader:
        assert reader.read() == data and reader.read(10) == b""


def test_reading_a_blob_holds_one_piece_at_a_time(tmp_path: Path) -> None:
    # 64 MiB of zeros is stored in about 64 KiB: one read of the stored bytes would expand to
    # all of it at once.
    store = BlobStore(tmp_path / "blobs")
    source = tmp_path / "zeros.bin"
    with source.open("wb") as out:
        for _ in range(64):
            out.write(bytes(1 << 20))
    tracemalloc.start()
    try:
        digest, size = store.put_file(source)
        _, logging_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        total = 0
        with store.open(digest) as reader:
            while piece := reader.read(1 << 20):
                total += len(piece)
        _, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == total == 64 << 20
    assert logging_peak < 8 << 20 and reading_peak < 8 << 20, (logging_peak, reading_peak)


def test_a_damaged_or_cut_blob_is_a_clear_error(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    digest = store.put(os.urandom(100_000))
    path = tmp_path / "blobs" / digest[:2] / digest[2:]
    stored = path.read_bytes()
    path.write_bytes(stored[: len(stored) // 2])
    with pytest.raises(StoreError, match="cut short"), store.open(digest) as reader:
        reader.read()
    path.write_bytes(b"not zlib at all" + stored)
    with pytest.raises(StoreError, match="damaged"), store.open(digest) as reader:
        reader.read()
    with pytest.raises(StoreError, match="missing"):
        store.open("0" * 64)
