"""Where executions run, found by name in :mod:`.registry` (as papermill finds its engines):

- :mod:`.base`: :class:`Executor`, the scheduling every executor shares;
- :mod:`.local`: this process (one worker) or local worker processes (``--executor local``);
- :mod:`.dask`: a Dask distributed cluster (``--executor dask``), imported only when used.
"""

from __future__ import annotations

from .base import CANCEL_WAIT, PRESTART, Executor, failure_result, lost_result
from .local import InlineExecutor, LocalProcessExecutor, inline_slot
from .registry import executor_names, get_executor, make_executor, register_executor

__all__ = ["CANCEL_WAIT", "PRESTART", "Executor", "InlineExecutor", "LocalProcessExecutor", "executor_names",
           "failure_result", "get_executor", "inline_slot", "lost_result", "make_executor", "register_executor"]
