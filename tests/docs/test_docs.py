"""Every docs page's examples run against the real package, so the docs cannot drift."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").glob("*.md"))
DRIVER = Path(__file__).with_name("docs_driver.py")


def test_there_is_a_page_for_each_topic() -> None:
    names = {page.stem for page in PAGES}
    assert {"tracking", "running", "pipelines", "sidebar", "filter-language", "team", "configuration",
            "mlflow", "troubleshooting", "models"} <= names


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_the_examples_of_a_page_run(page: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "digits", project, ignore=shutil.ignore_patterns(".mlops", "data", "models"))
    (project / ".mlops").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    env["MPLBACKEND"] = "agg"
    env["NO_COLOR"] = "1"
    if "<!-- docs-test: postgres -->" in page.read_text():
        server = request.getfixturevalue("postgres_server")
        env["JUPYTER_MLOPS_STORE"] = server.create_database()
        env["JUPYTER_MLOPS_BLOBS"] = str(tmp_path / "blobs")
    done = subprocess.run([sys.executable, str(DRIVER), str(page)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:] + done.stdout[-2000:]
