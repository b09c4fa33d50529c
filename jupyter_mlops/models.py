"""The model registry's Python API: ``mlops.register_model``, ``get_model``, ``load_model`` ...

A version is an artifact of a run: ``register_model(name, path)`` logs the file (or a
directory, packed into one deterministic tar) to the given or active run first;
``register_model(name, run=ID, artifact=NAME)`` registers an artifact the run has. The same
bytes registered again give the existing version.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .errors import InvalidInput, NoActiveRun

if TYPE_CHECKING:
    from .store.entities import Run
    from .store.model_entities import AliasMove, ModelVersion, RegisteredModel
    from .store.sqlstore import Store
    from .tracking import ActiveRun

def _store(store: Any) -> Store:
    from .store import open_store
    from .store.sqlstore import Store

    return store if isinstance(store, Store) else open_store(store)


def _target_run(run: Any, store: Any) -> tuple[Store, str, ActiveRun | None]:
    """The store and id of the run a version comes from (and the active run, when it is that)."""
    from . import tracking

    if run is None:
        active = tracking.active_run()
        if active is None and os.environ.get(config.RUN_ID_ENV):  # a notebook run by the runner
            active = tracking.attach_run(os.environ[config.RUN_ID_ENV], store)
        if active is None:
            raise NoActiveRun("register_model needs a run to hold the model: call it inside "
                              "`with mlops.start_run():` or a %%track cell, or pass run=RUN_ID")
        return active.store, active.id, active
    if isinstance(run, tracking.ActiveRun):
        return run.store, run.id, run
    if isinstance(run, str):
        the_store = _store(store)
        return the_store, the_store.get_run(run).id, None
    stored = getattr(run, "_store", None)
    if stored is not None and getattr(run, "id", None):  # a stored Run
        return stored, run.id, None
    raise InvalidInput(f"run must be a run id, a Run or an active run, got {type(run).__name__}")


def register_model(
    name: str,
    path: str | os.PathLike[str] | None = None,
    *,
    run: str | Run | ActiveRun | None = None,
    artifact: str | None = None,
    alias: str | None = None,
    tags: Mapping[str, Any] | None = None,
    store: str | os.PathLike[str] | Store | None = None,
) -> ModelVersion:
    """Register a new version of model ``name`` (1, 2, 3 ...), or return the version that
    already holds the same bytes.

    From ``path`` (a file, or a directory packed into one tar): logged as an artifact
    (named ``artifact``, else the file's name, or the directory's name + ``.tar``) of ``run``
    or the active run. Without ``path``: ``artifact`` names an artifact ``run`` already has.
    ``alias`` then points at the version; ``tags`` are kept with a new version.
    """
    from .store.model_entities import DIRECTORY, FILE
    from .store.model_names import validate_alias, validate_model_name
    from .store.packing import file_digest, pack_directory
    from .store.registry import check_tags

    validate_model_name(name)
    if alias is not None:
        validate_alias(alias)
    check_tags(tags)
    if path is None:
        if not artifact:
            raise InvalidInput("register_model needs a path (a file or directory) or artifact= (the name "
                               "of an artifact of run=)")
        the_store, run_id, _ = _target_run(run, store)
        return the_store.models.register(name, run_id, artifact, tags=tags, alias=alias)
    source = Path(path)
    if not source.exists():
        raise InvalidInput(f"cannot register {source}: no such file or directory")
    with tempfile.TemporaryDirectory(prefix="mlops-model-") as scratch:
        if source.is_dir():
            kind, upload = DIRECTORY, Path(scratch) / "model.tar"
            pack_directory(source, upload)
            artifact_name = artifact or f"{source.resolve().name or 'model'}.tar"
        elif source.is_file():
            kind, upload, artifact_name = FILE, source, artifact or source.name
        else:
            raise InvalidInput(f"cannot register {source}: it is neither a file nor a directory")
        digest, _ = file_digest(upload)
        the_store, run_id, active = _target_run(run, store)
        existing = the_store.models.by_digest(name, digest)
        if existing is not None:  # the same bytes: nothing is logged again
            return existing if alias is None else the_store.models.set_alias(name, alias, existing.version)
        if active is not None and active.status == "running":  # writes a deferred start first
            active.log_artifact(upload, artifact_name)
        else:
            the_store.log_artifact(run_id, upload, artifact_name)
    return the_store.models.register(name, run_id, artifact_name, kind=kind, tags=tags, alias=alias)


def get_model(uri: str, *, store: str | os.PathLike[str] | Store | None = None) -> ModelVersion:
    """The version ``uri`` names: ``name`` (latest), ``name/3``, ``name@alias``,
    ``models:/name/3``, ``models:/name@alias``."""
    return _store(store).models.resolve(uri)


def list_models(*, store: str | os.PathLike[str] | Store | None = None) -> list[RegisteredModel]:
    return _store(store).models.list()


def set_model_alias(name: str, alias: str, version: int, *,
                    store: str | os.PathLike[str] | Store | None = None) -> ModelVersion:
    """Point ``alias`` (a Python identifier) at ``version`` of model ``name``."""
    return _store(store).models.set_alias(name, alias, version)


def delete_model_alias(name: str, alias: str, *, store: str | os.PathLike[str] | Store | None = None) -> AliasMove:
    return _store(store).models.delete_alias(name, alias)


def load_model(uri: str | ModelVersion, *, store: str | os.PathLike[str] | Store | None = None) -> Any:
    """The model object of a version, by its file's suffix: ``.joblib`` (joblib), ``.pkl`` /
    ``.pickle`` (pickle), ``.skops`` (skops, only types it trusts), ``.pt`` / ``.pth`` (torch).

    Pickle and joblib files run code when loaded: load them only from stores you trust.
    """
    from .model_formats import load_file

    version = uri if not isinstance(uri, str) else get_model(uri, store=store)
    return load_file(version.path(), version.artifact)
