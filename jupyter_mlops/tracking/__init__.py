"""Tracking: the runs this process records, and how what they log reaches the store.

- :mod:`.api`: the module-level API (``start_run``, ``log_metric`` ...), also ``mlops.X``;
- :mod:`.active`: :class:`ActiveRun` and the stack of active runs;
- :mod:`.writer`: the one background thread that writes buffered points and beats heartbeats;
- :mod:`.hooks`: ending open runs at interpreter exit;
- :mod:`.values`: what a metric, step or param value may be.
"""

from __future__ import annotations

from .active import ActiveRun, error_info
from .api import (
    active_run,
    attach_run,
    end_run,
    get_store,
    log_artifact,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    output,
    set_tag,
    set_tags,
    start_run,
)
from .writer import FLUSH_INTERVAL, HEARTBEAT_INTERVAL, beating

__all__ = ["FLUSH_INTERVAL", "HEARTBEAT_INTERVAL", "ActiveRun", "active_run", "attach_run", "beating", "end_run",
           "error_info", "get_store", "log_artifact", "log_metric", "log_metrics", "log_param", "log_params",
           "output", "set_tag", "set_tags", "start_run"]
