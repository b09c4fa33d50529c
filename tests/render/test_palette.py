"""One presentation package below the store: every HTML face paints a status with the one
palette, and rendering imports nothing of the store (the store's entities call down into it)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from jupyter_mlops.render import html as h
from jupyter_mlops.render.palette import STATUS_COLOURS
from jupyter_mlops.render.run_html import run_html, runs_html
from jupyter_mlops.render.summary import summary_html, summary_text


def a_run(status: str, name: str = "<b>bold</b> & co") -> SimpleNamespace:
    return SimpleNamespace(id="1m8gdm5tpbsc5x", name=name, experiment="e<x>", status=status,
                           started_at=0.0, ended_at=1.5, duration=1.5, params={"lr": 0.1},
                           metrics={"acc": 0.9, "system/cpu_percent": 3.0}, tags={"k": "<v>"},
                           error={"ename": "ValueError", "evalue": "<bad>"} if status == "failed" else None)


@pytest.mark.parametrize("status", sorted(STATUS_COLOURS))
def test_every_face_paints_a_status_with_the_one_palette(status: str) -> None:
    colour = STATUS_COLOURS[status]
    run = a_run(status)
    summary = SimpleNamespace(run_id=run.id, name=run.name, status=status, duration=1.5,
                              metrics={"acc": 0.9}, attached=False)
    for html in (h.status_badge(status), run_html(run), runs_html([run]), summary_html(summary)):
        assert colour in html
    for other in set(STATUS_COLOURS.values()) - {colour}:
        assert other not in h.status_badge(status)


def test_user_text_is_escaped_in_every_rendering() -> None:
    run = a_run("failed")
    for html in (run_html(run), runs_html([run])):
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "&lt;bad&gt;" in run_html(run) and "&lt;v&gt;" in run_html(run)
    summary = SimpleNamespace(run_id="x", name="<i>n</i>", status="finished", duration=0.2,
                              metrics={"<m>": 1.0}, attached=True)
    assert "<i>n</i>" not in summary_html(summary) and "&lt;m&gt;" in summary_html(summary)
    assert summary_text(summary) == "logged to run x (<i>n</i>) · <m>=1"


def test_rendering_imports_nothing_of_the_store() -> None:
    code = ("import sys, jupyter_mlops.render.run_html, jupyter_mlops.render.text, "
            "jupyter_mlops.render.export, jupyter_mlops.render.summary, jupyter_mlops.compare\n"
            "print(sorted(m for m in sys.modules if m.startswith(('jupyter_mlops.store', 'sqlalchemy'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_summary_run_id_is_a_link_the_sidebar_opens() -> None:
    from types import SimpleNamespace

    summary = SimpleNamespace(
        run_id='r"1<x>', name="n", status="finished", duration=1.0, metrics={}, attached=False
    )
    html = summary_html(summary)
    assert 'data-mlops-open-run="r&quot;1&lt;x&gt;"' in html
    assert "<code>r&quot;1&lt;x&gt;</code></a>" in html
