"""A model promoted only through its run's gates: ``jupyter mlops promote``.

Everything the user named is checked before any gate is decided (the model name, the alias, the
artifact), so a typo is a usage error, never a failed gate. Only when every gate holds is the
artifact registered as a version and the alias moved to it, both in the registry's one
transaction; the move is read back from the alias's history, so what is printed is what the
registry recorded even when another writer moved the alias just before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput, ModelNotFound
from .check import check, open_for
from .gates import CheckResult

if TYPE_CHECKING:
    from ..store.model_entities import ModelVersion
    from ..store.sqlstore import Store


@dataclass
class Promotion:
    check: CheckResult
    model: str
    alias: str
    artifact: str
    before: int | None  # the alias's version before (None: it did not exist)
    version: ModelVersion | None = None  # None: not promoted
    moved: bool = False  # False when the alias already pointed at the version

    @property
    def promoted(self) -> bool:
        return self.version is not None

    def summary(self) -> str:
        was = "did not exist" if self.before is None else f"stays at version {self.before}"
        if self.version is None:
            return (f"not promoted: {len(self.check.failed)} gate(s) failed; {self.model}@{self.alias} {was}")
        after = self.version.version
        if not self.moved:
            return (f"promoted: {self.model}@{self.alias} already pointed at version {after} "
                    f"({self.artifact} of run {self.version.run_id}); nothing moved")
        before = "(new alias)" if self.before is None else f"version {self.before}"
        return (f"promoted: {self.model}@{self.alias} moved from {before} to version {after} "
                f"({self.artifact} of run {self.version.run_id})")

    def to_dict(self) -> dict[str, Any]:
        return {"promoted": self.promoted, "model": self.model, "alias": self.alias, "artifact": self.artifact,
                "from_version": self.before, "to_version": self.version.version if self.version else None,
                "moved": self.moved, "check": self.check.to_dict()}


def _alias_version(store: Store, model: str, alias: str) -> int | None:
    try:
        return store.models.resolve(f"{model}@{alias}").version
    except ModelNotFound:
        return None


def promote(run: Any, *, model: str, artifact: str, alias: str, store: Any = None, **gates: Any) -> Promotion:
    """Check ``run`` with ``gates`` (the arguments of :func:`~.check.check`); when every gate
    holds, register ``artifact`` (an artifact of the run, or a file or directory path, logged to
    the run first) as a version of ``model`` and point ``alias`` at it."""
    from ..store.model_names import validate_alias, validate_model_name

    validate_model_name(model)
    validate_alias(alias)
    if not isinstance(artifact, str) or not artifact.strip():
        raise InvalidInput("--artifact names an artifact of the run, or a file to log to it")
    the_store = open_for(store)
    result = check(run, store=the_store, **gates)
    the_run = result.run
    names = [a.name for a in the_store.artifacts(the_run.id)]
    path = None if artifact in names else Path(artifact)
    if path is not None and not path.exists():
        listed = ", ".join(names) if names else "none"
        raise InvalidInput(f"run {the_run.id} has no artifact named {artifact!r} and there is no file "
                           f"{artifact!r}; its artifacts: {listed}")
    before = _alias_version(the_store, model, alias)
    outcome = Promotion(result, model, alias, artifact if path is None else path.name, before)
    if not result.passed:
        return outcome
    started = time.time()
    if path is None:
        version = the_store.models.register(model, the_run.id, artifact, alias=alias)
    else:
        from ..models import register_model

        version = register_model(model, path, run=the_run.id, alias=alias, store=the_store)
        outcome.artifact = version.artifact
    outcome.version = version
    history = the_store.models.get(model, limit=1, history_limit=20).alias_history
    moves = [m for m in history if m.alias == alias and m.to_version == version.version and m.at >= started]
    outcome.moved = bool(moves)
    if moves:
        outcome.before = moves[-1].from_version
    return outcome


__all__ = ["Promotion", "promote"]
