"""GPU capture, checked on a real NVIDIA GPU: a tracked cell does a few seconds of GPU work,
then every stored ``system/gpu*`` point is printed.

    python benchmarks/gpu_check.py [--seconds 6] [--megabytes 4096]

Needs an NVIDIA GPU and its driver, and nvidia-ml-py (``pip install 'jupyter-mlops[gpu]'``).
The cell runs through ``%%track`` in an IPython shell, the way a notebook runs it; without
IPython installed it runs in ``mlops.start_run()`` with the same system sampler. The GPU
work is PyTorch or CuPy when one is installed, else the CUDA driver itself (``libcuda``,
which every NVIDIA driver ships) through ctypes: a busy kernel written in PTX and a large
allocation, so no CUDA package is needed.

Exits 0 when utilisation above zero and the allocation in the used memory were both
recorded, 1 when they were not, and 2 when there is no GPU to check.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time

import jupyter_mlops as mlops
from jupyter_mlops import config

# Every thread spins on a dependent multiply-add ``n`` times, then stores the result (so the
# loop cannot be dropped). Plain PTX: the driver compiles it for whatever GPU it finds.
SPIN_PTX = rb"""
.version 7.0
.target sm_52
.address_size 64

.visible .entry spin(.param .u64 out, .param .u32 n)
{
    .reg .pred %p<2>;
    .reg .f32 %f<2>;
    .reg .b32 %r<3>;
    .reg .b64 %rd<3>;

    ld.param.u64 %rd1, [out];
    ld.param.u32 %r1, [n];
    mov.f32 %f1, 0f3F000000;
    mov.u32 %r2, 0;
$spin_loop:
    fma.rn.f32 %f1, %f1, 0f3F7FFFFF, 0f3A83126F;
    add.s32 %r2, %r2, 1;
    setp.lt.u32 %p1, %r2, %r1;
    @%p1 bra $spin_loop;
    cvta.to.global.u64 %rd2, %rd1;
    st.global.f32 [%rd2], %f1;
    ret;
}
"""


def gpu_work(seconds: float, megabytes: int) -> str:
    """Keep GPU 0 busy for ``seconds`` while holding ``megabytes`` of its memory; says how."""
    try:
        import torch

        if torch.cuda.is_available():
            held = torch.ones(megabytes << 20, dtype=torch.uint8, device="cuda")
            a = torch.randn(8192, 8192, device="cuda")
            deadline, products = time.monotonic() + seconds, 0
            while time.monotonic() < deadline:
                a = torch.tanh(a @ a)
                torch.cuda.synchronize()
                products += 1
            del held
            return f"torch {torch.__version__}: {products} 8192x8192 matrix products"
    except ImportError:
        pass
    try:
        import cupy

        held = cupy.ones(megabytes << 20, dtype=cupy.uint8)
        a = cupy.random.standard_normal((8192, 8192), dtype=cupy.float32)
        deadline, products = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            a = cupy.tanh(a @ a)
            cupy.cuda.Device().synchronize()
            products += 1
        del held
        return f"cupy {cupy.__version__}: {products} 8192x8192 matrix products"
    except ImportError:
        pass
    return _driver_work(seconds, megabytes)


def _driver_work(seconds: float, megabytes: int) -> str:
    cuda = ctypes.CDLL("libcuda.so.1")
    cuda.cuMemAlloc_v2.argtypes = [ctypes.POINTER(ctypes.c_uint64), ctypes.c_size_t]
    cuda.cuMemsetD8_v2.argtypes = [ctypes.c_uint64, ctypes.c_ubyte, ctypes.c_size_t]
    cuda.cuMemFree_v2.argtypes = [ctypes.c_uint64]
    cuda.cuLaunchKernel.argtypes = [ctypes.c_void_p, *[ctypes.c_uint] * 7, ctypes.c_void_p,
                                    ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]

    def check(result: int, what: str) -> None:
        if result != 0:
            name = ctypes.c_char_p()
            cuda.cuGetErrorName(result, ctypes.byref(name))
            raise RuntimeError(f"{what} failed: {(name.value or b'?').decode()} ({result})")

    check(cuda.cuInit(0), "cuInit")
    device, context = ctypes.c_int(), ctypes.c_void_p()
    check(cuda.cuDeviceGet(ctypes.byref(device), 0), "cuDeviceGet")
    check(cuda.cuDevicePrimaryCtxRetain(ctypes.byref(context), device), "cuDevicePrimaryCtxRetain")
    try:
        check(cuda.cuCtxSetCurrent(context), "cuCtxSetCurrent")
        size = megabytes << 20
        memory = ctypes.c_uint64()
        check(cuda.cuMemAlloc_v2(ctypes.byref(memory), size), "cuMemAlloc")
        check(cuda.cuMemsetD8_v2(memory, 1, size), "cuMemsetD8")
        module, function = ctypes.c_void_p(), ctypes.c_void_p()
        check(cuda.cuModuleLoadData(ctypes.byref(module), ctypes.c_char_p(SPIN_PTX)), "cuModuleLoadData")
        check(cuda.cuModuleGetFunction(ctypes.byref(function), module, b"spin"), "cuModuleGetFunction")
        iterations = ctypes.c_uint32(8_000_000)
        arguments = (ctypes.c_void_p * 2)(ctypes.cast(ctypes.byref(memory), ctypes.c_void_p),
                                          ctypes.cast(ctypes.byref(iterations), ctypes.c_void_p))
        deadline, launches = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            check(cuda.cuLaunchKernel(function, 1024, 1, 1, 256, 1, 1, 0, None, arguments, None), "cuLaunchKernel")
            check(cuda.cuCtxSynchronize(), "cuCtxSynchronize")
            launches += 1
        check(cuda.cuMemFree_v2(memory), "cuMemFree")
        check(cuda.cuModuleUnload(module), "cuModuleUnload")
    finally:
        cuda.cuDevicePrimaryCtxRelease(device)
    return f"CUDA driver through ctypes: {launches} launches of a PTX spin kernel"


def gpu_count() -> int:
    try:
        import pynvml
    except ImportError:
        print("nvidia-ml-py is not installed: pip install 'jupyter-mlops[gpu]'")
        return 0
    try:
        pynvml.nvmlInit()
        return int(pynvml.nvmlDeviceGetCount())
    except Exception as exc:  # noqa: BLE001
        print(f"NVML found no GPU: {exc}")
        return 0


def tracked_run(seconds: float, megabytes: int) -> tuple[str, str]:
    """Run the GPU work as a tracked cell (or a tracked block without IPython): run id, how."""
    try:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config
    except ImportError:
        from jupyter_mlops.capture.system import SystemSampler

        with mlops.start_run(name="gpu-check") as run, SystemSampler(run.log_metrics):
            how = gpu_work(seconds, megabytes)
        return run.id, how + " (in mlops.start_run, IPython not installed)"
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_cell("%load_ext jupyter_mlops")
    shell.user_ns.update(gpu_work=gpu_work, seconds=seconds, megabytes=megabytes)
    result = shell.run_cell("%%track --name gpu-check\nhow = gpu_work(seconds, megabytes)")
    result.raise_error()
    runs = mlops.get_store().search_runs("name = 'gpu-check'")
    return runs[0].id, shell.user_ns["how"] + " (in a %%track cell)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="half a second and 64 MiB; without a GPU, say so and succeed")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long the GPU works (default 6)")
    parser.add_argument("--megabytes", type=int, default=4096, help="GPU memory held meanwhile (default 4096)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.megabytes = 0.5, 64
    if shutil.which("nvidia-smi"):
        subprocess.run(["nvidia-smi", "--query-gpu=index,name,driver_version,memory.total,memory.used",
                        "--format=csv"], check=False)
    if gpu_count() == 0:
        print("no NVIDIA GPU to check here: run this where one is")
        return 0 if args.quick else 2
    os.environ["IPYTHONDIR"] = tempfile.mkdtemp(prefix="gpu-check-ipython-")
    os.environ[config.STORE_ENV] = tempfile.mkdtemp(prefix="gpu-check-store-")

    run_id, how = tracked_run(args.seconds, args.megabytes)
    run = mlops.get_store().get_run(run_id)
    print(f"run {run.id} {run.status} in {run.ended_at - run.started_at:.1f} s; GPU work: {how}")
    series = sorted(key for key in run.metrics if key.startswith("system/gpu"))
    for key in series:
        points = run.metric_history(key)
        values = ", ".join(f"{p.value:.1f}" for p in points)
        print(f"  {key} ({len(points)} points): {values}")
    busy = [max(run.metric_history(k).values) for k in series if k.endswith("/utilization_percent")]
    used = [max(run.metric_history(k).values) for k in series if k.endswith("/memory_used_mb")]
    ok = bool(busy) and max(busy) > 0 and bool(used) and max(used) >= args.megabytes
    print("GPU capture " + ("works: utilisation and the held memory were recorded" if ok else
                            "FAILED: the series above lack the work or the memory"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
