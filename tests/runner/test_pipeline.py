"""`jupyter mlops pipeline`: steps, references to outputs, parallel branches, failures, caching."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.runner import kernels, run_pipeline

PREP = "import jupyter_mlops as mlops\nmlops.output('path', f'data-{rows}.csv')\nmlops.output('rows', rows)"
TRAIN = (
    "import jupyter_mlops as mlops\nassert data.endswith('.csv')\n"
    "mlops.log_metric('acc', lr * rows)"
)


@pytest.fixture
def project(notebook, tmp_path) -> Path:
    notebook("prep", "rows = 10", PREP)
    notebook("train", "data = ''\nlr = 0.1\nrows = 0", TRAIN)
    notebook("report", "acc_source = ''", "print(acc_source)")
    notebook("broken", "x = 1", "raise RuntimeError('no data today')")
    return tmp_path


def write(project: Path, text: str) -> Path:
    path = project / "pipeline.yaml"
    path.write_text(text)
    return path


CHAIN = """
name: churn
steps:
  prep:  {notebook: prep.ipynb, parameters: {rows: 20}}
  train: {notebook: train.ipynb, depends_on: [prep],
          parameters: {data: "${steps.prep.outputs.path}", rows: "${steps.prep.outputs.rows}", lr: LR}}
"""


def test_a_failed_step_skips_its_descendants_but_not_other_branches(capsys, store, project):
    path = write(
        project,
        CHAIN.replace("LR", "0.5")
        + """
  bad:   {notebook: broken.ipynb}
  after_bad: {notebook: report.ipynb, depends_on: [bad]}
  report: {notebook: report.ipynb, depends_on: [train], parameters: {acc_source: "from ${steps.prep.outputs.path}"}}
""",
    )
    code = main(["pipeline", os.fspath(path), "--workers", "2", "--store", store.location])
    captured = capsys.readouterr()
    assert code == 1, captured
    parent = store.search_runs("tags.kind = 'pipeline'")[0]
    assert (parent.name, parent.experiment, parent.status) == ("churn", "churn", "failed")
    steps = {c.tags["step"]: c for c in parent.children()}
    assert set(steps) == {"prep", "train", "bad", "report"}  # after_bad never ran: no run
    assert steps["train"].params == {"data": "data-20.csv", "rows": 20, "lr": 0.5}
    assert steps["train"].metrics == {"acc": 10.0}
    assert steps["bad"].status == "failed" and steps["bad"].error["evalue"] == "no data today"
    assert steps["report"].status == "finished" and steps["report"].params == {
        "acc_source": "from data-20.csv"
    }
    lines = {
        line.split()[0]: line.split()[1] for line in captured.out.splitlines()[2:] if line.strip()
    }
    assert (
        lines["after_bad"] == "skipped"
        and lines["bad"] == "failed"
        and lines["report"] == "finished"
    )


def test_unchanged_steps_are_cached_and_start_no_kernel(store, project, monkeypatch):
    path = write(project, CHAIN.replace("LR", "0.5"))
    first = run_pipeline(path, store=store.location, progress=False)
    assert {s.status for s in first.steps.values()} == {"finished"}

    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel was started for a cached step")

    with monkeypatch.context() as patch:
        patch.setattr(kernels.PreparedKernel, "__init__", no_kernels)
        second = run_pipeline(path, store=store.location, progress=False)
    assert {s.status for s in second.steps.values()} == {"cached"}
    assert second.steps["train"].cached_from == first.steps["train"].run_id
    cached = store.get_run(second.steps["train"].run_id)
    assert cached.name == "train (cached)" and cached.status == "finished"
    assert cached.tags["cached_from"] == first.steps["train"].run_id
    assert cached.metrics == {"acc": 10.0} and cached.parent_id == second.parent_id
    assert cached.snapshot() is not None

    write(project, CHAIN.replace("LR", "0.25"))  # a parameter changed: only train runs again
    third = run_pipeline(path, store=store.location, progress=False)
    assert (third.steps["prep"].status, third.steps["train"].status) == ("cached", "finished")
    assert store.get_run(third.steps["train"].run_id).metrics == {"acc": 5.0}

    forced = run_pipeline(path, store=store.location, force=True, progress=False)
    assert {s.status for s in forced.steps.values()} == {"finished"}


def test_changing_a_notebook_invalidates_its_cache(store, project, notebook):
    path = write(project, CHAIN.replace("LR", "0.5"))
    run_pipeline(path, store=store.location, progress=False)
    notebook("train", "data = ''\nlr = 0.1\nrows = 0", TRAIN + "\nmlops.log_metric('extra', 1)")
    again = run_pipeline(path, store=store.location, progress=False)
    assert (again.steps["prep"].status, again.steps["train"].status) == ("cached", "finished")


def test_a_reference_to_an_output_never_recorded_fails_the_step(store, project):
    path = write(
        project,
        """
steps:
  prep: {notebook: prep.ipynb}
  train: {notebook: train.ipynb, depends_on: [prep], parameters: {data: "${steps.prep.outputs.model}"}}
  report: {notebook: report.ipynb, depends_on: [train]}
""",
    )
    result = run_pipeline(path, store=store.location, progress=False)
    assert result.steps["prep"].status == "finished"
    assert result.steps["train"].status == "failed"
    assert "recorded no output 'model'" in result.steps["train"].error["evalue"]
    assert "path, rows" in result.steps["train"].error["evalue"]
    assert result.steps["report"].status == "skipped"
    assert store.get_run(result.steps["train"].run_id).status == "failed"
