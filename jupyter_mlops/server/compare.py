"""``GET compare``: params and metrics of runs side by side and, for two runs, their cells,
from the one comparison of :mod:`jupyter_mlops.compare` (what ``jupyter mlops diff`` and the
widgets show too)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..compare import compare_runs as compare
from ..compare.direction import Direction
from ..compare.render import comparison_dict
from ..errors import InvalidInput
from ..render.palette import run_colours
from .payloads import run_summary

if TYPE_CHECKING:
    from ..store.sqlstore import Store


def compare_runs(store: Store, ids: Sequence[str],
                 overrides: Mapping[str, Direction] | None = None) -> dict[str, Any]:
    """Params and metrics of the runs side by side, each metric's best value marked (``overrides``:
    metrics whose better direction is not the one their name says), each run's chart colour; the
    cell diff when there are exactly two."""
    unique = list(dict.fromkeys(i for i in ids if i))
    if len(unique) < 2:
        raise InvalidInput("name two or more different runs to compare: ?ids=RUN_A,RUN_B")
    runs = [store.get_run(run_id) for run_id in unique]
    comparison = compare(runs, store.snapshot_bytes)
    return {
        "runs": [run_summary(run) for run in comparison.runs],
        "colours": run_colours([(run.id, run.colour_slot) for run in comparison.runs]),
        **comparison_dict(comparison, overrides),
        "metric_keys": sorted({key for run in comparison.runs for key in store.metric_keys(run.id)}),
    }
