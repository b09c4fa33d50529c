"""The chart cases both fillers of the spec templates are checked against: the sidebar's
(``labextension/test/metricSpecs.spec.ts``) and ``jupyter_mlops.render.chart_specs``. Their
expected specs are in ``golden/chart_specs.json``; after a deliberate change to a template, write
them again with ``python -m tests.render.chart_cases``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_mlops.render.chart_specs import RunSeries, metric_history_spec, metric_values_spec

GOLDEN = Path(__file__).parent / "golden" / "chart_specs.json"

RUNS: list[dict[str, Any]] = [
    {"id": "1m8gdm5tpbsc5x", "label": "train lr=0.1 (bsc5x)", "colour": "#4c78a8", "startedAt": 100.0,
     "steps": [0, 1, 2, 3], "values": [1.0, 0.5, None, 0.25], "timestamps": [100.5, 101.0, 102.0, 104.0]},
    {"id": "1m8gdm5tq0zzz1", "label": "a.b \"quoted\" <b>x</b>", "colour": "#f58518", "startedAt": 90.0,
     "steps": [0, 2], "values": [2.0, 1e-3], "timestamps": [91.0, 95.0]},
]

CASES: list[dict[str, Any]] = [
    {"name": "defaults", "kind": "history", "metric": "loss", "unit": None,
     "options": {"x": "step", "logY": False, "smoothing": 0}, "runs": RUNS},
    {"name": "relative, log y, mean of 3", "kind": "history", "metric": "loss", "unit": None,
     "options": {"x": "relative", "logY": True, "smoothing": 3}, "runs": RUNS},
    {"name": "wall time, one run, a unit", "kind": "history", "metric": "system/process_rss_mb",
     "unit": "MB", "options": {"x": "wall", "logY": False, "smoothing": 1}, "runs": RUNS[:1]},
    {"name": "single values", "kind": "values", "metric": "acc", "unit": None,
     "options": {"x": "step", "logY": False, "smoothing": 0},
     "runs": [dict(RUNS[0], steps=[0], values=[0.9], timestamps=[101.0]),
              dict(RUNS[1], steps=[0], values=[0.95], timestamps=[92.0])]},
]


def python_spec(case: dict[str, Any]) -> dict[str, Any]:
    """The spec ``chart_specs`` fills for ``case``."""
    runs, options = case["runs"], case["options"]
    colours = {run["id"]: run["colour"] for run in runs}
    if case["kind"] == "values":
        values = [(run["id"], run["label"], run["values"][0]) for run in runs]
        return metric_values_spec(values, case["metric"], log_y=options["logY"], unit=case["unit"],
                                  colours=colours)
    series = [RunSeries(run["id"], run["label"], run["steps"], run["values"], run["timestamps"],
                        run["startedAt"]) for run in runs]
    return metric_history_spec(series, case["metric"], x=options["x"], log_y=options["logY"],
                               smoothing=options["smoothing"], unit=case["unit"], colours=colours)


def main() -> None:
    cases = [dict(case, expected=python_spec(case)) for case in CASES]
    GOLDEN.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
