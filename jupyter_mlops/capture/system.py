"""System metrics of an open run, sampled in a background thread.

Logged as ordinary metric series under ``system/``: CPU use of the machine and of this
process, the process's resident memory, the machine's memory, and for each NVIDIA GPU
(through nvidia-ml-py, when the driver is there) its utilisation and memory. A sample is
taken when sampling starts and when it stops, so even a short cell gets points.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_INTERVAL = 1.0
_MB = 1024 * 1024
#: The unit of a system metric, by how its name ends (the names below are made to end so).
UNITS = {"_percent": "%", "_mb": "MB"}


def metric_unit(key: str) -> str | None:
    """The unit of metric ``key`` when it is a system metric of a known kind, else None."""
    if key.startswith("system/"):
        for ending, unit in UNITS.items():
            if key.endswith(ending):
                return unit
    return None


class _ProcessProbe:
    """CPU and memory through psutil (primed once, so the first CPU reading means something).

    A reading younger than ``MIN_WINDOW`` is returned again instead of a new one: a CPU
    percentage over a few milliseconds (the start and end of a short cell) is below the
    kernel's clock tick and means nothing, and reading /proc twice costs the cell time.
    """

    MIN_WINDOW = 0.1

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._pid = os.getpid()
        self._process = psutil.Process(self._pid)
        psutil.cpu_percent(None)
        self._process.cpu_percent(None)
        self._last: tuple[float, dict[str, float]] | None = None

    def sample(self) -> dict[str, float]:
        if os.getpid() != self._pid:  # forked
            self.__init__()  # type: ignore[misc]
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < self.MIN_WINDOW:
            return dict(self._last[1])
        values = self._read()
        self._last = (now, values)
        return dict(values)

    def _read(self) -> dict[str, float]:
        psutil = self._psutil
        memory = psutil.virtual_memory()
        with self._process.oneshot():
            rss = self._process.memory_info().rss
            process_cpu = self._process.cpu_percent(None)
        return {
            "system/cpu_percent": psutil.cpu_percent(None),
            "system/process_cpu_percent": process_cpu,
            "system/process_rss_mb": rss / _MB,
            "system/memory_percent": memory.percent,
        }


class GpuProbe:
    """Utilisation and memory of each NVIDIA GPU through NVML; empty samples without one.

    ``nvml`` is the ``pynvml`` module (nvidia-ml-py) or an object with the same functions.
    """

    def __init__(self, nvml: Any = None) -> None:
        self._nvml = nvml
        self._handles: list[Any] | None = None

    @property
    def handles(self) -> list[Any]:
        if self._handles is None:
            self._handles = self._open()
        return self._handles

    def _open(self) -> list[Any]:
        nvml = self._nvml
        if nvml is None:
            try:
                import pynvml
            except ImportError:  # nvidia-ml-py not installed: no GPU metrics
                return []
            nvml = self._nvml = pynvml
        try:
            nvml.nvmlInit()
            return [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(nvml.nvmlDeviceGetCount())]
        except Exception:  # noqa: BLE001 - no driver or no GPU: nothing to sample, and no error
            return []

    def sample(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for index, handle in enumerate(self.handles):
            prefix = f"system/gpu{index}"
            try:
                rates = self._nvml.nvmlDeviceGetUtilizationRates(handle)
                memory = self._nvml.nvmlDeviceGetMemoryInfo(handle)
            except Exception:  # noqa: BLE001 - a GPU that stops answering is skipped, not fatal
                continue
            values[f"{prefix}/utilization_percent"] = float(rates.gpu)
            values[f"{prefix}/memory_used_mb"] = memory.used / _MB
            if memory.total:
                values[f"{prefix}/memory_percent"] = 100.0 * memory.used / memory.total
        return values


_probes_lock = threading.Lock()
_process_probe: _ProcessProbe | None = None
_gpu_probe: GpuProbe | None = None


def default_probes() -> list[Callable[[], Mapping[str, float]]]:
    """This process's probes, made once (NVML is opened once per process)."""
    global _process_probe, _gpu_probe
    with _probes_lock:
        if _process_probe is None:
            _process_probe = _ProcessProbe()
        if _gpu_probe is None:
            _gpu_probe = GpuProbe()
        return [_process_probe.sample, _gpu_probe.sample]


def take_sample(probes: list[Callable[[], Mapping[str, float]]]) -> dict[str, float]:
    values: dict[str, float] = {}
    for probe in probes:
        try:
            values.update(probe())
        except Exception:  # noqa: BLE001 - metrics of the machine must never break a run
            continue
    return values


class _Ticker:
    """One thread per interval that samples every ``interval`` seconds for all open samplers;
    it ends when none is left, so idle kernels run no thread."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._targets: dict[int, SystemSampler] = {}
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def add(self, sampler: SystemSampler) -> None:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's thread does not exist here
                self._thread, self._pid = None, os.getpid()
            self._targets[id(sampler)] = sampler
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="jupyter-mlops-system-metrics",
                                                daemon=True)
                self._thread.start()

    def remove(self, sampler: SystemSampler) -> None:
        with self._lock:
            self._targets.pop(id(sampler), None)

    def _loop(self) -> None:
        while True:
            time.sleep(self.interval)
            with self._lock:
                targets = list(self._targets.values())
                if not targets:
                    self._thread = None
                    return
            by_probes: dict[int, dict[str, float]] = {}
            for sampler in targets:
                key = id(sampler._probes)
                if key not in by_probes:
                    by_probes[key] = take_sample(sampler._probes)
                sampler._log_values(by_probes[key])


_tickers_lock = threading.Lock()
_tickers: dict[float, _Ticker] = {}


def _ticker(interval: float) -> _Ticker:
    with _tickers_lock:
        ticker = _tickers.get(interval)
        if ticker is None:
            ticker = _tickers[interval] = _Ticker(interval)
        return ticker


class SystemSampler:
    """Logs system metrics through ``log`` (e.g. ``run.log_metrics``) every ``interval`` seconds
    between :meth:`start` and :meth:`stop`, and once at each of them."""

    def __init__(self, log: Callable[[Mapping[str, float]], None], interval: float = DEFAULT_INTERVAL,
                 probes: list[Callable[[], Mapping[str, float]]] | None = None) -> None:
        self._log = log
        self._interval = interval
        self._probes = probes if probes is not None else default_probes()
        self._running = False
        self._lock = threading.Lock()

    def _log_values(self, values: Mapping[str, float]) -> None:
        if not values:
            return
        with self._lock:  # no point logged after stop() returned
            if not self._running:
                return
            try:
                self._log(values)
            except Exception:  # noqa: BLE001 - e.g. the run ended under us: stop sampling it
                self._running = False
                _ticker(self._interval).remove(self)

    def start(self) -> SystemSampler:
        self._running = True
        self._log_values(take_sample(self._probes))
        if self._running:
            _ticker(self._interval).add(self)
        return self

    def stop(self) -> None:
        """Stop sampling after one last sample (safe to call twice)."""
        if not self._running:
            return
        _ticker(self._interval).remove(self)
        self._log_values(take_sample(self._probes))
        with self._lock:
            self._running = False

    def __enter__(self) -> SystemSampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["DEFAULT_INTERVAL", "UNITS", "GpuProbe", "SystemSampler", "default_probes", "metric_unit",
           "take_sample"]
