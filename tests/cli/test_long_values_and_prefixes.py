"""The CLI reads runs by a unique id prefix, says when one is ambiguous, and shows long values cut."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.cli import main
from jupyter_mlops.store import open_store
from jupyter_mlops.store.previews import Preview
from jupyter_mlops.widgets.model import Column, Query, cell_text, fetch_page


def _runs(store_dir: Path, *ids: str) -> None:
    store = open_store(os.fspath(store_dir))
    for run_id in ids:
        store.create_run(run_id, name=f"run {run_id}", experiment="e", params={"lr": 0.1})
        store.end_run(run_id)


def test_show_and_diff_take_a_unique_prefix(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _runs(store_dir, "1m8sfjma51k6se", "1m8tzzzzzzzzzz")
    assert main(["show", "1m8sf", "--store", os.fspath(store_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "1m8sfjma51k6se"
    assert main(["diff", "1m8sf", "1m8tz", "--store", os.fspath(store_dir), "--format", "json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert (reply["a"], reply["b"]) == ("1m8sfjma51k6se", "1m8tzzzzzzzzzz")


def test_an_ambiguous_prefix_exits_2_listing_the_matches(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _runs(store_dir, "1m8sfjma51k6se", "1m8sfjma52aaaa", "1m8sfzzzzzzzzz")
    for argv in (["show", "1m8sfjma5"], ["diff", "1m8sf", "1m8sfjma51k6se"]):
        assert main([*argv, "--store", os.fspath(store_dir)]) == 2
        err = capsys.readouterr().err
        assert "ambiguous: matches" in err and "1m8sfjma51k6se" in err and len(err.strip().splitlines()) == 1


def test_the_table_cuts_long_values_and_json_keeps_them(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "v" * 50_000
    with mlops.start_run(name="big", params={"blob": huge}, tags={"t": "w" * 3000}, store=store_dir) as run:
        pass
    assert main(["runs", "--store", os.fspath(store_dir)]) == 0
    table = capsys.readouterr().out
    assert huge not in table and "…" in table and len(table) < 5000
    assert main(["runs", "--store", os.fspath(store_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["params"]["blob"] == huge
    assert main(["show", run.id, "--store", os.fspath(store_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["blob"] == huge


def test_the_widgets_list_shows_a_preview_and_the_detail_the_whole(store_dir: Path) -> None:
    huge = "v" * 50_000
    with mlops.start_run(name="big", params={"blob": huge, "small": 1}, store=store_dir) as run:
        pass
    store = open_store(os.fspath(store_dir))
    (listed,) = fetch_page(store, Query()).runs
    assert isinstance(listed.params["blob"], Preview) and listed.params["blob"].length == 50_000
    text = cell_text(listed, Column("params.blob", "blob", "params.blob"))
    assert text.endswith("…") and len(text) == 1001
    assert listed.params["small"] == 1
    assert store.get_run(run.id).params["blob"] == huge
