"""Peak memory of a large artifact: logging it, and downloading it through a real server.

    python benchmarks/blob_bench.py [--size-mib 1024] [--parallel 4] [--incompressible]
    python benchmarks/blob_bench.py --quick        # 8 MiB, a few seconds (run by the tests)

Logging: a fresh process opens a store and a run, then ``log_artifact`` of the file; the
figure is its peak resident memory (VmHWM) over its resident memory just before the call.
Downloading: a real ``jupyter lab`` with the extension on 127.0.0.1 serves ``GET
runs/{id}/artifacts/{name}`` to one client, then to ``--parallel`` clients at once; the figure
is the server process's peak resident memory over its memory before the downloads (after a
small warm-up download, so imports and caches are not counted). Every download is hashed and
compared with the logged file.

The artifact is 4 KiB-periodic data with a counter (zlib stores it in about 1/40 of its
size) unless ``--incompressible``; what the server holds depends on the bytes served, not on
how well they compress. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MIB = 1 << 20
NAME = "model.bin"


# --- memory of a process ------------------------------------------------------------------


def _status(pid: int, field: str) -> int:
    """A VmRSS/VmHWM line of /proc/PID/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


class PeakMemory:
    """The peak resident memory of a process from now on, over what it holds now.

    Resets the kernel's high-water mark (``echo 5 > /proc/PID/clear_refs``) where allowed,
    and samples VmRSS every 5 ms besides, so a short peak is not missed either way.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = _status(pid, "VmRSS")
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            self.exact = True
        except OSError:
            self.exact = False
        self.sampled = self.baseline
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.sampled = max(self.sampled, _status(self.pid, "VmRSS"))

    def stop(self) -> int:
        """Bytes of peak memory over the baseline."""
        self._done.set()
        self._thread.join()
        peak = max(self.sampled, _status(self.pid, "VmHWM") if self.exact else 0)
        return max(0, peak - self.baseline)


# --- the artifact -----------------------------------------------------------------------------


def write_artifact(path: Path, size: int, incompressible: bool = False) -> str:
    """Write ``size`` bytes to ``path`` a MiB at a time; returns their sha256."""
    digest = hashlib.sha256()
    pattern = os.urandom(4096)
    with path.open("wb") as out:
        for number in range(0, size, MIB):
            length = min(MIB, size - number)
            if incompressible:
                block = os.urandom(length)
            else:
                block = b"".join(
                    (number + offset).to_bytes(8, "little") + pattern[8:]
                    for offset in range(0, length, 4096)
                )[:length]
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


LOG_SCRIPT = """
import json, os, sys, time
from pathlib import Path
import jupyter_mlops as mlops
store_dir, source = sys.argv[1], sys.argv[2]
run = mlops.start_run(name="big artifact", store=store_dir)
run.log_artifact(source, name={name!r})  # warm: store, blob folders, code paths
def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
baseline = status("VmRSS")
try:
    Path("/proc/self/clear_refs").write_text("5")
except OSError:
    pass
started = time.perf_counter()
artifact = run.log_artifact(source, name={name!r})
seconds = time.perf_counter() - started
peak = status("VmHWM")
mlops.end_run()
print(json.dumps({{"peak_over_baseline": peak - baseline, "seconds": seconds, "digest": artifact.digest,
                  "size": artifact.size, "run_id": run.id}}))
"""


def log_in_fresh_process(store_dir: Path, source: Path) -> dict:
    """Log ``source`` as an artifact of a new run, in a new process; its memory figures."""
    out = subprocess.run(
        [sys.executable, "-c", LOG_SCRIPT.format(name=NAME), str(store_dir), str(source)],
        capture_output=True, text=True, timeout=3600, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- downloads ----------------------------------------------------------------------------


def download(url: str, token: str) -> tuple[str, int]:
    """GET ``url`` a MiB at a time; the sha256 and length of the body."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    digest, size = hashlib.sha256(), 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while piece := response.read(MIB):
            digest.update(piece)
            size += len(piece)
    return digest.hexdigest(), size


def downloads_peak(pid: int, url: str, token: str, parallel: int, expected: tuple[str, int]) -> tuple[int, float]:
    """Download ``url`` with ``parallel`` clients at once; the server's peak memory over its
    baseline (bytes) and the wall time. Each body must hash to ``expected``."""
    results: list[tuple[str, int] | BaseException] = []

    def one() -> None:
        try:
            results.append(download(url, token))
        except BaseException as exc:  # noqa: BLE001 - reported below
            results.append(exc)

    meter = PeakMemory(pid)
    started = time.perf_counter()
    clients = [threading.Thread(target=one) for _ in range(parallel)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    seconds = time.perf_counter() - started
    peak = meter.stop()
    for result in results:
        if isinstance(result, BaseException):
            raise result
        if result != expected:
            raise AssertionError(f"downloaded {result}, logged {expected}")
    return peak, seconds


def serve_and_download(root: Path, home: Path, run_id: str, expected: tuple[str, int],
                       parallel: int) -> list[tuple[int, int, float]]:
    """Start ``jupyter lab`` on ``root`` and download the artifact once, then ``parallel``
    times at once: ``(clients, peak bytes over baseline, seconds)`` for each."""
    from tests.support.browser import start_lab

    lab = start_lab(root, home)
    try:
        base = f"{lab.url}mlops/api/runs/{run_id}/artifacts/"
        download(base + "warm.txt", lab.token)  # imports, the store, the first request's caches
        figures = []
        for clients in (1, parallel):
            peak, seconds = downloads_peak(lab.process.pid, base + NAME, lab.token, clients, expected)
            figures.append((clients, peak, seconds))
        return figures
    finally:
        lab.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--incompressible", action="store_true", help="random bytes (slow to compress)")
    parser.add_argument("--quick", action="store_true", help="8 MiB: checks the script in seconds")
    args = parser.parse_args(argv)
    size = (8 if args.quick else args.size_mib) * MIB
    folder = Path(tempfile.mkdtemp(prefix="blob-bench-"))
    try:
        root = folder / "root"
        root.mkdir()
        source = folder / NAME
        expected = (write_artifact(source, size, args.incompressible), size)
        logged = log_in_fresh_process(root / ".mlops", source)
        if (logged["digest"], logged["size"]) != expected:
            raise AssertionError(f"logged {logged['digest']}, wrote {expected[0]}")
        print(f"artifact: {size / MIB:,.0f} MiB ({'random' if args.incompressible else '4 KiB-periodic'} bytes), "
              f"stored in {_stored_size(root / '.mlops', logged['digest']) / MIB:,.1f} MiB")
        print(f"  logging it (log_artifact, fresh process): peak {logged['peak_over_baseline'] / MIB:,.1f} MiB "
              f"over baseline, {logged['seconds']:.1f} s")
        from jupyter_mlops.store import open_store

        open_store(str(root / ".mlops")).log_artifact_bytes(logged["run_id"], "warm.txt", b"warm")
        for clients, peak, seconds in serve_and_download(root, folder / "home", logged["run_id"], expected,
                                                         args.parallel):
            print(f"  downloading it through jupyter lab, {clients} client{'s' * (clients > 1)} at once: "
                  f"server peak {peak / MIB:,.1f} MiB over baseline, {seconds:.1f} s, bytes equal")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _stored_size(store: Path, digest: str) -> int:
    return (store / "blobs" / digest[:2] / digest[2:]).stat().st_size


if __name__ == "__main__":
    os.environ.pop("JUPYTER_MLOPS_STORE", None)
    sys.exit(main())
