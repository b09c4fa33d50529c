"""Registered models, their versions and aliases, to and from MLflow's model registry.

Each MLflow version we write carries the tags ``jupyter_mlops.digest`` (the bytes' sha256),
``jupyter_mlops.version`` and ``jupyter_mlops.kind``; a version is recognised by its digest in
either direction, so exporting or importing again adds only what is new. A version moves
with its run: one whose run is not in the exchange (filtered out, or deleted) is skipped
and said so. MLflow numbers versions itself; aliases follow the numbers on each side.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..store.sqlstore import Store
    from .mlflow import ExchangeReport

DIGEST_TAG = "jupyter_mlops.digest"
VERSION_TAG = "jupyter_mlops.version"
KIND_TAG = "jupyter_mlops.kind"


def all_pages(search: Callable[..., Any], *args: Any) -> list[Any]:
    """Every item of an MLflow search, page by page."""
    found: list[Any] = []
    token = None
    while True:
        page = search(*args, max_results=1000, page_token=token)
        found.extend(page)
        token = page.token
        if not token:
            return found


def _their_versions(client: Any, name: str) -> list[Any]:
    found = all_pages(client.search_model_versions, f"name = '{_quote(name)}'")
    return sorted(found, key=lambda v: int(v.version))


def _quote(text: str) -> str:
    return text.replace("'", "''")


# --- export ---------------------------------------------------------------------------


def export_models(client: Any, store: Store, runs: Mapping[str, str], report: ExchangeReport) -> None:
    """Write every registered version whose run is in ``runs`` (our id -> MLflow run id)."""
    for summary in store.models.list():
        model = store.models.get(summary.name)
        if not _has_model(client, model.name):
            client.create_registered_model(model.name)
        theirs = {v.tags.get(DIGEST_TAG): int(v.version) for v in _their_versions(client, model.name)}
        numbers: dict[int, int] = {}  # our version -> theirs
        for version in sorted(model.versions, key=lambda v: v.version):
            if version.digest in theirs:
                numbers[version.version] = theirs[version.digest]
                continue
            their_run = runs.get(version.run_id or "")
            if their_run is None:
                report.skipped.append((f"{model.name}/{version.version}",
                                       f"its run {version.run_id} is not in this export"))
                continue
            tags = {**version.tags, DIGEST_TAG: version.digest, VERSION_TAG: str(version.version),
                    KIND_TAG: version.kind}
            created = client.create_model_version(model.name, f"runs:/{their_run}/{version.artifact}",
                                                  run_id=their_run, tags=tags)
            numbers[version.version] = int(created.version)
            report.moved.append((f"{model.name}/{version.version}", f"models:/{model.name}/{created.version}"))
        for alias, ours in model.aliases.items():
            if ours in numbers:
                client.set_registered_model_alias(model.name, alias, numbers[ours])


def _has_model(client: Any, name: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        return False
    return True


# --- import ---------------------------------------------------------------------------


def import_models(client: Any, store: Store, runs: Mapping[str, str], report: ExchangeReport,
                  tracking_uri: str) -> None:
    """Bring in every MLflow version whose run is in ``runs`` (MLflow run id -> ours)."""
    from ..store.model_names import validate_alias, validate_model_name

    for registered in all_pages(client.search_registered_models):
        name = registered.name
        try:
            validate_model_name(name)
        except InvalidInput as exc:
            report.skipped.append((f"model {name}", str(exc)))
            continue
        numbers: dict[int, int] = {}  # their version -> ours
        for their in _their_versions(client, name):
            label = f"{name}/{their.version}"
            our_run = runs.get(their.run_id or "")
            if our_run is None:
                report.skipped.append((label, f"its run {their.run_id} is not in this import"))
                continue
            existing = store.models.by_digest(name, their.tags[DIGEST_TAG]) if DIGEST_TAG in their.tags else None
            if existing is None:
                existing = _import_version(client, store, name, their, our_run, tracking_uri)
                report.moved.append((label, f"{name}/{existing.version}"))
            numbers[int(their.version)] = existing.version
        for alias, their_number in (client.get_registered_model(name).aliases or {}).items():
            try:
                validate_alias(alias)
            except InvalidInput as exc:
                report.skipped.append((f"{name}@{alias}", str(exc)))
                continue
            if int(their_number) in numbers:
                store.models.set_alias(name, alias, numbers[int(their_number)])


def _import_version(client: Any, store: Store, name: str, their: Any, our_run: str, tracking_uri: str) -> Any:
    from ..store.model_entities import DIRECTORY, FILE
    from ..store.packing import pack_directory

    tags = {k: v for k, v in their.tags.items() if not k.startswith("jupyter_mlops.")}
    kind = their.tags.get(KIND_TAG, FILE)
    source = str(their.source or "")
    path = source.split("/", 3)[3] if source.startswith("runs:/") and source.count("/") >= 3 else ""
    if path and path in {a.name for a in store.artifacts(our_run)}:  # came with the run's artifacts
        return store.models.register(name, our_run, path, kind=kind, tags=tags)
    with tempfile.TemporaryDirectory(prefix="mlops-import-") as folder:
        if path:
            local = Path(client.download_artifacts(their.run_id, path, folder))
        else:
            import mlflow.artifacts

            local = Path(mlflow.artifacts.download_artifacts(
                artifact_uri=client.get_model_version_download_uri(name, their.version), dst_path=folder,
                tracking_uri=tracking_uri))
        artifact = path or local.name
        if local.is_dir():  # an MLflow model folder: one deterministic tar, as register_model packs it
            packed = Path(folder) / "packed.tar"
            pack_directory(local, packed)
            local, kind, artifact = packed, DIRECTORY, f"{os.path.basename(artifact.rstrip('/')) or 'model'}.tar"
        store.log_artifact(our_run, local, artifact)
    return store.models.register(name, our_run, artifact, kind=kind, tags=tags)
