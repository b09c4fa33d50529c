"""A small store for the report tests: a baseline registered as ``digits@production`` and a
candidate with a changed param, a changed and an added cell, metric histories, and hostile
text (markup, pipes, backticks, mentions) in names, params and cells."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jupyter_mlops as mlops

HOSTILE = "<img src=x onerror=\"window.hacked=1\">|@team #1 **bold** `tick` $x$"


def notebook(*sources: str) -> bytes:
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def _run(store: str, name: str, params: dict, accs: list[float], cells: bytes) -> str:
    with mlops.start_run(name=name, experiment="digits", params=params, store=store) as run:
        for step, acc in enumerate(accs):
            mlops.log_metrics({"val_acc": acc, "val_loss": 1 - acc}, step=step)
    mlops.get_store(store).set_snapshot(run.id, cells)
    return run.id


def report_store(folder: Path) -> tuple[str, str, str]:
    """(store location, baseline id, candidate id)."""
    store = os.fspath(folder / "store")
    base = _run(store, f"base {HOSTILE}", {"lr": 0.1, "epochs": 3, "note": HOSTILE},
                [0.5, 0.7, 0.9], notebook("import numpy", "lr = 0.1\nepochs = 3", "fit(lr)"))
    (folder / "model.pkl").write_text("weights")
    mlops.get_store(store).log_artifact(base, folder / "model.pkl")
    mlops.register_model("digits", run=base, artifact="model.pkl", alias="production", store=store)
    candidate = _run(store, "candidate", {"lr": 0.2, "epochs": 3, "note": HOSTILE},
                     [0.6, 0.8, 0.92], notebook("import numpy", "lr = 0.2\nepochs = 3", "fit(lr)",
                                                f"print('```', {HOSTILE!r})"))
    return store, base, candidate
