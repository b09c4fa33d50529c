"""A run's snapshot opened from the sidebar never runs the scripts its outputs hold, even when
the stored notebook claims its cells are trusted (any file can say so)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from sqlalchemy import update

from jupyter_mlops.store import forget_stores, open_store
from jupyter_mlops.store import schema as s
from jupyter_mlops.store.blobs import compress_blob
from tests.support.browser import Lab, open_lab_page, serving, track_run

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
HTML = '<p class="mlops-probe">stored output</p><img src=x onerror=alert(1)>'


def trusted_notebook() -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML(html)")
    cell.metadata["trusted"] = True
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": HTML}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(2)"}),
    ]
    cell.execution_count = 1
    nb.cells = [cell]
    nb.metadata["signature"] = "sha256:" + "ab" * 32
    # json, not nbformat.writes: nbformat drops trust when it writes, a hand-made file need not
    data = json.dumps(nb, indent=1).encode()
    assert b'"trusted": true' in data and b'"signature"' in data
    return data


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    store_dir = root / ".mlops"
    store_dir.mkdir()
    runs = {"stored now": track_run(store_dir, "stored now"), "stored before": track_run(store_dir, "stored before")}
    store = open_store(str(store_dir))
    store.set_snapshot(runs["stored now"], trusted_notebook())
    # what a version without the rule stored: the notebook's bytes as they were, trust and all
    data = trusted_notebook()
    digest, packed = compress_blob(data)
    with store._write() as conn:
        conn.execute(s.snapshot_blobs.insert().values(digest=digest, size=len(data), data=packed))
        conn.execute(update(s.runs).where(s.runs.c.id == runs["stored before"]).values(snapshot=digest))
    forget_stores()
    with serving(root, tmp_path_factory.mktemp("lab-home"), runs) as lab:
        yield lab


@pytest.fixture(scope="module")
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    page = open_lab_page(browser, lab, "jupyter-mlops:open-snapshot", WAIT_MS)
    yield page
    page.context.close()


@pytest.mark.parametrize("which", ["stored now", "stored before"])
def test_a_trusted_snapshot_opens_untrusted_and_runs_no_script(page: Any, lab: Lab, which: str, shots: Any) -> None:
    from playwright.sync_api import expect

    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.evaluate(
            "async (id) => { await window.jupyterapp.commands.execute('jupyter-mlops:open-snapshot', {id, path: ''}); }",
            lab.runs[which],
        )
        snapshot = page.locator(".jp-mlops-snapshot:visible")
        expect(snapshot.locator(".jp-Cell")).to_have_count(1)
        probe = snapshot.locator(".jp-OutputArea-output p.mlops-probe")
        expect(probe).to_have_text("stored output")  # the HTML output is shown...
        page.wait_for_timeout(1500)  # time for an image error (or a script) to fire
        assert dialogs == []  # ...but nothing in it ran
        image = snapshot.locator(".jp-OutputArea-output img")
        assert image.count() == 0 or image.first.get_attribute("onerror") is None  # sanitized: untrusted
        assert snapshot.locator("script").count() == 0
        trusted = page.evaluate(
            """() => {
                const widget = window.jupyterapp.shell.currentWidget;
                const cells = widget?.content?.model?.cells;
                return cells ? Array.from({length: cells.length}, (_, i) => cells.get(i).trusted) : null;
            }"""
        )
        assert trusted == [False]
        shots.take(page, f"snapshot-untrusted-{which.replace(' ', '-')}")
    finally:
        page.remove_listener("dialog", on_dialog)
        page.evaluate("async () => { await window.jupyterapp.commands.execute('application:close-all'); }")
    served = lab.api(f"runs/{lab.runs[which]}/snapshot")
    assert "trusted" not in served["cells"][0]["metadata"] and "signature" not in served["metadata"]

