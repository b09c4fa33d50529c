"""The run browser's models tab (what ``%runs`` shows about registered models)."""

from __future__ import annotations

from pathlib import Path

import jupyter_mlops as mlops
from jupyter_mlops.widgets import RunBrowser
from jupyter_mlops.widgets.browser import DETAIL_TAB, MODELS_TAB


def register(store_dir: Path, tmp_path: Path, model: str, content: bytes, artifact: str = "model.pkl",
             alias: str | None = None) -> str:
    (tmp_path / "f").write_bytes(content)
    with mlops.start_run(name=f"train-{model}-{len(content)}", store=store_dir) as run:
        mlops.register_model(model, tmp_path / "f", artifact=artifact, alias=alias)
    return run.id


def test_no_models_says_how_to_register_one(store_dir: Path) -> None:
    browser = RunBrowser(store=store_dir)
    browser.show_models()
    assert browser.views.layout.display is None and browser.views.selected_index == MODELS_TAB
    assert "no registered models yet" in browser.models.summary.value
    assert browser.models.open_button.disabled
    browser.close()


def test_versions_aliases_and_history_are_shown_and_a_run_opens(store_dir: Path, tmp_path: Path) -> None:
    first = register(store_dir, tmp_path, "churn", b"a", alias="production")
    second = register(store_dir, tmp_path, "churn", b"bb", artifact="<img src=x onerror=alert(1)>.pkl")
    mlops.set_model_alias("churn", "production", 2, store=store_dir)
    register(store_dir, tmp_path, "bert", b"ccc")
    browser = RunBrowser(store=store_dir)
    browser.show_models()
    panel = browser.models
    assert list(panel.chooser.options) == ["bert", "churn"]
    panel.chooser.value = "churn"
    assert "<b>churn</b>: 2 version(s)" in panel.summary.value and "production → 2" in panel.summary.value
    assert second in panel.versions.value and first in panel.versions.value
    assert "<img" not in panel.versions.value and "&lt;img src=x" in panel.versions.value
    rows = panel.history.value.split("<tr>")[2:]  # newest move first
    assert ">1</td>" in rows[0] and ">2</td>" in rows[0] and "(deleted)" not in panel.history.value
    assert [value for _, value in panel.version_choice.options] == [2, 1] and panel.version_choice.value == 2
    panel.version_choice.value = 1
    panel.open_button.click()
    assert browser.views.selected_index == DETAIL_TAB and browser.detail.run.id == first

    register(store_dir, tmp_path, "churn", b"dddd")  # a new version appears on refresh
    panel.refresh_button.click()
    assert panel.chooser.value == "churn" and "3 version(s)" in panel.summary.value
    assert "churn: aliases {'production': 2}" in panel.text()
    browser.close()
