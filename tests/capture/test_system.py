"""System metrics: psutil for CPU and memory, NVML (replaced here by a fake) for GPUs."""

from __future__ import annotations

import time
from types import SimpleNamespace

from jupyter_mlops import tracking
from jupyter_mlops.capture.system import (
    GpuProbe,
    SystemSampler,
    _ticker,
    default_probes,
    take_sample,
)


class FakeNvml:
    """The few nvidia-ml-py functions the probe uses, for two GPUs."""

    def __init__(self, fail_init: bool = False) -> None:
        self.fail_init = fail_init
        self.inits = 0

    def nvmlInit(self) -> None:
        self.inits += 1
        if self.fail_init:
            raise RuntimeError("NVML Shared Library Not Found")

    def nvmlDeviceGetCount(self) -> int:
        return 2

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> SimpleNamespace:
        return SimpleNamespace(gpu=[35, 80][handle], memory=10)

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> SimpleNamespace:
        return SimpleNamespace(used=[1024, 2048][handle] * 1024 * 1024, total=8192 * 1024 * 1024, free=0)


def test_gpu_probe_reads_each_gpu_through_nvml() -> None:
    nvml = FakeNvml()
    probe = GpuProbe(nvml)
    assert probe.sample() == {
        "system/gpu0/utilization_percent": 35.0, "system/gpu0/memory_used_mb": 1024.0,
        "system/gpu0/memory_percent": 12.5,
        "system/gpu1/utilization_percent": 80.0, "system/gpu1/memory_used_mb": 2048.0,
        "system/gpu1/memory_percent": 25.0,
    }
    probe.sample()
    assert nvml.inits == 1  # NVML is opened once


def test_no_gpu_means_no_gpu_metrics_and_no_error() -> None:
    assert GpuProbe(FakeNvml(fail_init=True)).sample() == {}


def test_process_probe_reports_cpu_and_memory() -> None:
    values = take_sample(default_probes())
    assert values["system/process_rss_mb"] > 1
    assert 0 <= values["system/memory_percent"] <= 100
    assert values["system/cpu_percent"] >= 0 and values["system/process_cpu_percent"] >= 0


def test_sampler_logs_series_on_the_run_while_it_is_open(store) -> None:
    logged: list[dict[str, float]] = []
    gpu = GpuProbe(FakeNvml())
    with tracking.start_run(store=store) as run:
        def log(values):  # noqa: ANN001
            logged.append(dict(values))
            run.log_metrics(values)

        sampler = SystemSampler(log, interval=0.05, probes=[*default_probes(), gpu.sample]).start()
        time.sleep(0.4)
        sampler.stop()
        count = len(logged)
        time.sleep(0.15)
        assert len(logged) == count  # nothing after stop
    assert count >= 4  # start, several ticks, stop
    history = store.metric_history(run.id, "system/gpu1/utilization_percent")
    assert len(history) == count and set(history.values) == {80.0}
    assert len(store.metric_history(run.id, "system/process_rss_mb")) == count
    ticker = _ticker(0.05)
    deadline = time.monotonic() + 5
    while ticker._thread is not None:  # an idle kernel runs no sampling thread
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_failing_log_stops_the_sampler_quietly() -> None:
    calls = []

    def log(values):  # noqa: ANN001
        calls.append(values)
        raise RuntimeError("run ended")

    sampler = SystemSampler(log, interval=0.02, probes=[lambda: {"system/x": 1.0}]).start()
    time.sleep(0.1)
    sampler.stop()
    assert len(calls) == 1


def test_the_process_probe_reads_again_only_after_a_window(monkeypatch) -> None:
    from jupyter_mlops.capture.system import _ProcessProbe

    probe = _ProcessProbe()
    reads = []
    real_read = probe._read
    monkeypatch.setattr(probe, "_read", lambda: reads.append(1) or real_read())
    first = probe.sample()
    first["system/cpu_percent"] = -1.0  # a caller changing its copy changes nothing kept
    second = probe.sample()  # a short cell's end: the start's reading again
    assert len(reads) == 1 and second["system/cpu_percent"] != -1.0
    time.sleep(_ProcessProbe.MIN_WINDOW + 0.02)
    probe.sample()
    assert len(reads) == 2
