"""Whether controls can be shown, and the values a headless run uses.

Controls are not shown, and the code runs at once, when:

- ``JUPYTER_MLOPS_HEADLESS`` is ``1``;
- the notebook is executed by ``jupyter mlops run`` (``JUPYTER_MLOPS_RUN_ID`` is set);

and otherwise (unless ``JUPYTER_MLOPS_HEADLESS`` is ``0``, which shows controls anyway) when:

- there is no kernel front end (plain IPython, a script);
- the cell was sent by a client that cannot answer prompts (papermill and nbconvert
  execute with ``allow_stdin`` off; JupyterLab, Notebook 7 and VS Code turn it on).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from .. import config
from ..errors import InvalidInput
from .kinds import ControlSpec

HEADLESS_ENV = "JUPYTER_MLOPS_HEADLESS"
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def headless_reason(shell: Any) -> str | None:
    """Why controls cannot be shown here (None: they can)."""
    forced = os.environ.get(HEADLESS_ENV, "").strip().lower()
    if forced in _YES:
        return f"{HEADLESS_ENV} is set"
    if os.environ.get(config.RUN_ID_ENV):
        return "the notebook is executed by jupyter mlops"
    if forced in _NO:
        return None
    kernel = getattr(shell, "kernel", None) if shell is not None else None
    if kernel is None:
        return "there is no notebook front end to show widgets"
    request = _current_request(shell, kernel)
    prompts = request.get("content", {}).get("allow_stdin", True) if request else True
    if request and request.get("msg_type") == "execute_request" and not prompts:
        return "the notebook is executed without a front end, by papermill or nbconvert"
    return None


def _current_request(shell: Any, kernel: Any) -> dict[str, Any] | None:
    for owner in (shell, kernel):
        get_parent = getattr(owner, "get_parent", None)
        if get_parent is None:
            continue
        try:
            parent = get_parent()
        except TypeError:
            parent = get_parent("shell")
        if parent and parent.get("header"):
            return {
                "msg_type": parent["header"].get("msg_type"),
                "content": parent.get("content") or {},
            }
    return None


def injected_values(specs: Iterable[ControlSpec]) -> dict[str, Any]:
    """Values the runner gave for these controls: the params of its run (papermill's injected
    parameters, converted to the notebook's types), those the controls can hold."""
    run_id = os.environ.get(config.RUN_ID_ENV)
    if not run_id:
        return {}
    from ..tracking import get_store

    params = get_store().get_run(run_id).params
    return acceptable(specs, params)


def acceptable(specs: Iterable[ControlSpec], params: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``params`` the controls named like them can hold."""
    found = {}
    for spec in specs:
        if spec.name in params:
            try:
                found[spec.name] = spec.check(params[spec.name])
            except InvalidInput:
                continue
    return found


__all__ = ["HEADLESS_ENV", "acceptable", "headless_reason", "injected_values"]
