"""The GitHub Actions workflow of ``docs/ci.md``, its shell steps run in order on a copy of the
example project, so the template cannot rot: first as a push to main (no production model yet,
so the requirements only, then the promotion creates ``digits@production``), then as a pull
request (the pipeline's steps come from its cache and the gates compare with production).

The install step is this test's environment (it must still name the extras the steps need);
the comment step is replaced by a check that the comment's file was written with its marker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_mlops.gates.report import MARKER

ROOT = Path(__file__).resolve().parents[2]
#: The conditions the workflow may use, and when they hold.
CONDITIONS = {
    "github.event_name == 'pull_request'": lambda event: event == "pull_request",
    "github.ref == 'refs/heads/main'": lambda event: event == "push",
    "always()": lambda event: True,
}


def workflow() -> dict[str, Any]:
    text = (ROOT / "docs" / "ci.md").read_text()
    section = text.split("## GitHub Actions", 1)[1]
    block = re.search(r"^```yaml\n(.*?)^```", section, re.S | re.M)
    assert block is not None, "docs/ci.md has no yaml block under '## GitHub Actions'"
    return yaml.safe_load(block.group(1))


def _expand(value: str, workspace: Path) -> str:
    value = value.replace("${{ github.workspace }}", str(workspace))
    assert "${{" not in value or "github.token" in value or "pull_request.number" in value, value
    return value


def _run_steps(flow: dict[str, Any], event: str, workspace: Path, tmp: Path) -> list[str]:
    job = next(iter(flow["jobs"].values()))
    cwd = workspace / job["defaults"]["run"]["working-directory"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
    env.update({key: _expand(str(value), workspace) for key, value in flow["env"].items()})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["IPYTHONDIR"] = str(tmp / "ipython")
    env["GITHUB_REPOSITORY"] = "example/digits"
    summary, github_env = tmp / f"summary-{event}.md", tmp / f"env-{event}"
    summary.touch()
    github_env.touch()
    env["GITHUB_STEP_SUMMARY"], env["GITHUB_ENV"] = str(summary), str(github_env)
    ran = []
    for step in job["steps"]:
        condition = step.get("if")
        if condition is not None and not CONDITIONS[condition](event):
            continue
        if "run" not in step:
            continue
        name, script = step["name"], step["run"]
        if name == "Install":  # this environment is the installed one: the step must ask for what it has
            assert "jupyter-mlops[examples,report]" in script
            continue
        if name == "Comment on the pull request":
            assert "--body-file pr-comment.md" in script and "body=@pr-comment.md" in script
            script = f"test -s pr-comment.md\nhead -n 1 pr-comment.md | grep -qxF '{MARKER}'\n"
        step_env = dict(env, **{k: _expand(str(v), workspace) for k, v in step.get("env", {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                              env=step_env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{event}: step {name!r} exited {done.returncode}:\n{done.stdout[-3000:]}\n" \
                                     f"{done.stderr[-3000:]}"
        for line in github_env.read_text().splitlines():  # as GitHub does between steps
            key, _, value = line.partition("=")
            env[key] = value
        ran.append(name)
    return ran


@pytest.mark.timeout(900)
def test_the_github_workflow_runs_on_main_then_on_a_pull_request(tmp_path: Path) -> None:
    flow = workflow()
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples" / "digits", workspace / "examples" / "digits",
                    ignore=shutil.ignore_patterns(".mlops", "data", "models", "*.md", "*.html", "confusion.json"))

    ran = _run_steps(flow, "push", workspace, tmp_path)
    assert ran == ["Run the pipeline", "Choose the gates", "Write the report", "Check", "Promote"]
    project = workspace / "examples" / "digits"
    assert (tmp_path / "summary-push.md").read_text().startswith(MARKER)
    assert "GATES=--require" in (tmp_path / "env-push").read_text()  # no production model on the first run
    import jupyter_mlops as mlops

    store = mlops.get_store(str(project / ".mlops"))
    model = store.models.get("digits")
    assert "production" in model.aliases and [m.alias for m in model.alias_history].count("production") == 1

    ran = _run_steps(flow, "pull_request", workspace, tmp_path)
    assert ran == ["Run the pipeline", "Choose the gates", "Write the report", "Comment on the pull request",
                   "Check"]
    assert "--baseline model:digits@production" in (tmp_path / "env-pull_request").read_text()
    comment = (project / "pr-comment.md").read_text()
    assert comment.startswith(MARKER) and "every gate passes" in comment and "metrics.val\\_acc" in comment
    assert (project / "report.html").read_text().count("data:image/svg+xml;base64,") >= 1
