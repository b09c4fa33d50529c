"""Metric histories: packed arrays on disk, a list-like sequence in memory.

Building a million Python objects takes longer than reading a million points, so a
history keeps the decoded arrays and makes :class:`MetricPoint` tuples only when they
are looked at. ``history.steps`` / ``.values`` / ``.timestamps`` give the raw arrays
(fast to plot or hand to numpy).
"""

from __future__ import annotations

import array
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, overload

from .entities import MetricPoint

_SWAP = sys.byteorder != "little"


def pack(steps: array.array, values: array.array, timestamps: array.array) -> bytes:
    """Pack three equally long arrays (int64, float64, float64) as little-endian bytes."""
    if _SWAP:  # pragma: no cover - big-endian hosts
        steps, values, timestamps = (array.array(a.typecode, a) for a in (steps, values, timestamps))
        for part in (steps, values, timestamps):
            part.byteswap()
    return steps.tobytes() + values.tobytes() + timestamps.tobytes()


def unpack(data: bytes, count: int) -> tuple[array.array, array.array, array.array]:
    width = 8 * count
    if len(data) != 3 * width:
        raise ValueError(f"metric chunk holds {len(data)} bytes, expected {3 * width}")
    steps = array.array("q")
    values = array.array("d")
    timestamps = array.array("d")
    steps.frombytes(data[:width])
    values.frombytes(data[width : 2 * width])
    timestamps.frombytes(data[2 * width :])
    if _SWAP:  # pragma: no cover
        for part in (steps, values, timestamps):
            part.byteswap()
    return steps, values, timestamps


class MetricHistory(Sequence[MetricPoint]):
    """The points of one metric of one run, in the order they were logged."""

    __slots__ = ("key", "steps", "values", "timestamps")

    def __init__(
        self,
        key: str,
        steps: array.array | None = None,
        values: array.array | None = None,
        timestamps: array.array | None = None,
    ) -> None:
        self.key = key
        self.steps = steps if steps is not None else array.array("q")
        self.values = values if values is not None else array.array("d")
        self.timestamps = timestamps if timestamps is not None else array.array("d")

    @classmethod
    def from_chunks(cls, key: str, chunks: Iterable[tuple[bytes, int]]) -> MetricHistory:
        history = cls(key)
        for data, count in chunks:
            steps, values, timestamps = unpack(data, count)
            history.steps.extend(steps)
            history.values.extend(values)
            history.timestamps.extend(timestamps)
        return history

    def __len__(self) -> int:
        return len(self.steps)

    @overload
    def __getitem__(self, index: int) -> MetricPoint: ...
    @overload
    def __getitem__(self, index: slice) -> MetricHistory: ...
    def __getitem__(self, index: int | slice) -> MetricPoint | MetricHistory:
        if isinstance(index, slice):
            return MetricHistory(
                self.key, self.steps[index], self.values[index], self.timestamps[index]
            )
        return MetricPoint(self.key, self.steps[index], self.values[index], self.timestamps[index])

    def __iter__(self) -> Iterator[MetricPoint]:
        return map(MetricPoint, repeat(self.key), self.steps, self.values, self.timestamps)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, MetricHistory):
            return (
                self.key == other.key
                and self.steps == other.steps
                and _same_floats(self.values, other.values)
                and self.timestamps == other.timestamps
            )
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<MetricHistory {self.key!r}: {len(self)} points>"

    def last(self) -> MetricPoint | None:
        return self[-1] if len(self) else None

    def downsample(self, max_points: int) -> MetricHistory:
        """At most ``max_points`` points, keeping the first, the last and each bucket's extremes."""
        n = len(self)
        if max_points <= 0 or n <= max_points:
            return self
        buckets = max(1, max_points // 2)
        size = n / buckets
        keep: list[int] = [0]
        values = self.values
        for b in range(buckets):
            start, stop = int(b * size), min(n, int((b + 1) * size))
            if start >= stop:
                continue
            segment = values[start:stop]
            try:  # min/max/index run in C; a NaN in the bucket makes index() miss
                lo, hi = segment.index(min(segment)), segment.index(max(segment))
            except ValueError:
                lo = min(range(len(segment)), key=segment.__getitem__)
                hi = max(range(len(segment)), key=segment.__getitem__)
            keep.extend(sorted({start + lo, start + hi}))
        keep.append(n - 1)
        ordered = sorted(set(keep))
        return MetricHistory(
            self.key,
            array.array("q", (self.steps[i] for i in ordered)),
            array.array("d", (self.values[i] for i in ordered)),
            array.array("d", (self.timestamps[i] for i in ordered)),
        )


def _same_floats(a: array.array, b: array.array) -> bool:
    return a.tobytes() == b.tobytes()
