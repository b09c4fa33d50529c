"""What ``RUN`` and ``REF`` name on the command line of ``check``, ``report`` and ``promote``.

RUN: a run id (or a unique prefix of one) or ``latest:FILTER``, the newest run a filter matches.
REF (a baseline): a run id, ``model:NAME@ALIAS`` or ``model:NAME/VERSION`` (the run that produced
that model version), or ``best:ORDER``: the best other finished run of RUN's experiment by an
order such as ``metrics.val_acc desc``. A reference that resolves to nothing is a usage error that
says so; nothing here writes to the store.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..errors import InvalidInput, MlopsError

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store

LATEST, MODEL, BEST = "latest:", "model:", "best:"
POLL_SECONDS = 0.25


class BaselineNotFound(InvalidInput):
    """A baseline reference that resolves to no run."""


class RunNotEnded(MlopsError):
    """The run to check is still running (and ``--wait`` ran out, or was not given)."""


def find_run(store: Store, ref: str) -> Run:
    """The run ``ref`` names: a run id, a unique prefix of one, or ``latest:FILTER``."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("name a run: a run id, a unique prefix of one, or latest:FILTER")
    if ref.startswith(LATEST):
        text = ref[len(LATEST):]
        found = store.search_runs(filter=text, limit=1)
        if not found:
            raise InvalidInput(f"{ref!r}: no run matches the filter {text!r}; list runs with "
                               f"`jupyter mlops runs --filter {text!r}`" if text.strip() else
                               f"{ref!r}: the store has no runs yet")
        return found[0]
    return store.find_run(ref)


def wait_for_end(store: Store, run: Run, wait: float | None) -> Run:
    """``run`` once it has ended: waits up to ``wait`` seconds for a running run (re-read from
    the store, so a crashed one is seen as crashed), then refuses it."""
    if run.status != "running":
        return run
    if wait is None or wait <= 0:
        raise RunNotEnded(f"run {run.id} is still running; wait for it with --wait SECONDS "
                          "(or check it once it has ended)")
    deadline = time.monotonic() + wait
    while run.status == "running":
        if time.monotonic() >= deadline:
            raise RunNotEnded(f"run {run.id} is still running after waiting {wait:g} s; "
                              "give it longer with --wait SECONDS")
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        run = store.get_run(run.id)
    return run


def find_baseline(store: Store, ref: str, run: Run) -> Run:
    """The baseline run ``ref`` names for ``run`` (see the module's forms)."""
    from ..errors import ModelNotFound

    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("a baseline is a run id, model:NAME@ALIAS, model:NAME/VERSION or best:ORDER")
    if ref.startswith(MODEL):
        uri = ref[len(MODEL):]
        if "@" not in uri and "/" not in uri:
            raise InvalidInput(f"baseline {ref!r}: name the version, model:{uri}@ALIAS or model:{uri}/VERSION")
        try:
            version = store.models.resolve(uri)
        except ModelNotFound as exc:
            raise BaselineNotFound(f"baseline {ref!r} resolves to nothing: {exc}") from None
        if version.run_id is None:
            raise BaselineNotFound(f"baseline {ref!r}: version {version.version} of {version.name} "
                                   "was produced by no run (its run was deleted)")
        return store.get_run(version.run_id)
    if ref.startswith(BEST):
        order = ref[len(BEST):]
        if not order.strip():
            raise InvalidInput("best: takes an order, e.g. best:metrics.val_acc desc")
        found = store.search_runs(filter=f"status = 'finished' and id != '{run.id}'",
                                  experiment=run.experiment, order_by=order, limit=1)
        if not found:
            raise BaselineNotFound(f"baseline {ref!r} resolves to nothing: experiment "
                                   f"{run.experiment!r} has no other finished run")
        return found[0]
    if ref.startswith(LATEST):
        raise InvalidInput(f"baseline {ref!r}: a baseline is a run id, model:NAME@ALIAS, "
                           "model:NAME/VERSION or best:ORDER (latest: names the run to check)")
    from ..errors import RunNotFound

    try:
        return store.find_run(ref)
    except RunNotFound:
        raise BaselineNotFound(f"baseline {ref!r} resolves to nothing: no run has that id "
                               f"(a model is model:NAME@ALIAS; the best run best:ORDER)") from None


__all__ = ["BaselineNotFound", "RunNotEnded", "find_baseline", "find_run", "wait_for_end"]
