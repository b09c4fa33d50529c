"""`python -m build` makes an sdist and a wheel; the wheel alone gives a working install:
the CLI, the enabled server extension and the prebuilt JupyterLab extension (no Node.js)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("npm") is None, reason="building the labextension needs Node.js and npm")
@pytest.mark.timeout(900)  # npm installs and builds the labextension twice (sdist, then wheel)
def test_build_and_install_the_wheel_into_a_fresh_venv(tmp_path: Path) -> None:
    pytest.importorskip("build")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv*", "node_modules", ".git", "dist", "build", "*.egg-info", ".mlops", "__pycache__",
        ".pytest_cache", ".ruff_cache", "lib", "tsconfig.tsbuildinfo", "demo-project", "data", "models"))
    shutil.rmtree(source / "jupyter_mlops" / "labextension", ignore_errors=True)
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [sdist] = dist.glob("jupyter_mlops-*.tar.gz")
    [wheel] = dist.glob("jupyter_mlops-*.whl")
    assert sdist.stat().st_size > 0

    target = tmp_path / "venv"
    venv.create(target, with_pip=True, system_site_packages=False)
    python = target / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["PATH"] = f"{target / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin"  # no node on this PATH
    env["JUPYTER_MLOPS_STORE"] = str(tmp_path / "store")
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], env=env,
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]

    def run(*command: str) -> str:
        done = subprocess.run([str(target / "bin" / command[0]), *command[1:]], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    run("python", "-c", "import jupyter_mlops as m; m.start_run(name='from-wheel').end()")
    assert "from-wheel" in run("jupyter", "mlops", "runs")
    assert "jupyter_mlops" in run("jupyter", "server", "extension", "list") and "enabled" in run(
        "jupyter", "server", "extension", "list")
    labextensions = run("jupyter", "labextension", "list")
    assert "jupyter-mlops" in labextensions and "enabled" in labextensions.split("jupyter-mlops", 1)[1].splitlines()[0]
    installed = Path(run("python", "-c", "import sys; print(sys.prefix)").strip().splitlines()[-1])
    assert (installed / "share" / "jupyter" / "labextensions" / "jupyter-mlops" / "package.json").exists()
