"""Export runs to MLflow and import MLflow runs, without duplicates on a second pass.

Exported MLflow runs carry the tag ``jupyter_mlops.run_id``; imported runs carry the tag
``mlflow.run_id``. Each direction looks for those tags first, so running an export or an
import again only moves what is new, and a run that went one way is never brought back
as a copy. MLflow is an optional extra (``pip install 'jupyter-mlops[mlflow]'``).
"""

from __future__ import annotations

import array
import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import MlopsError
from ..store.ids import new_run_id
from .mlflow_models import all_pages, export_models, import_models

T = TypeVar("T")

if TYPE_CHECKING:
    from ..store.entities import Run
    from ..store.sqlstore import Store

OUR_ID_TAG = "jupyter_mlops.run_id"
THEIR_ID_TAG = "mlflow.run_id"
PARAMS_TAG = "jupyter_mlops.params"  # the params as JSON, so their types survive the round trip
OUTPUTS_TAG = "jupyter_mlops.outputs"
SNAPSHOT_NAME = "notebook.ipynb"
_META_DIR = "jupyter_mlops"
_BATCH = 1000  # MLflow's limit of metrics per log_batch call
_TAG_LIMIT = 8000

_TO_MLFLOW_STATUS = {"finished": "FINISHED", "failed": "FAILED", "interrupted": "KILLED",
                     "crashed": "FAILED", "running": "RUNNING"}
_FROM_MLFLOW_STATUS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "interrupted"}


@dataclass
class ExchangeReport:
    moved: list[tuple[str, str]] = field(default_factory=list)  # (source id, destination id)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source id, why)
    models: ExchangeReport | None = None  # model versions (name/version), beside the runs

    def summary(self, verb: str, things: str = "run(s)") -> str:
        lines = [f"{verb} {len(self.moved)} {things}, skipped {len(self.skipped)}"]
        lines += [f"  {source} -> {target}" for source, target in self.moved]
        lines += [f"  skipped {source}: {why}" for source, why in self.skipped]
        text = "\n".join(lines) + "\n"
        if self.models is not None and (self.models.moved or self.models.skipped):
            text += self.models.summary(verb, "model version(s)")
        return text


def _client(tracking_uri: str) -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise MlopsError(
            "moving runs to or from MLflow needs the mlflow package: "
            "`pip install 'jupyter-mlops[mlflow]'` (or mlflow itself)"
        ) from exc
    return MlflowClient(tracking_uri=tracking_uri)


def _param_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


# --- export -------------------------------------------------------------------------


def export_runs(store: Store, tracking_uri: str, experiment: str | None = None,
                filter: str | None = None) -> ExchangeReport:
    """Write runs (params, metric histories, tags, note, snapshot and artifacts) into MLflow."""
    client = _client(tracking_uri)
    runs = store.search_runs(filter, experiment=experiment, order_by="started_at", limit=None)
    report = ExchangeReport(models=ExchangeReport())
    mapped: dict[str, str] = {}
    experiment_ids: dict[str, str] = {}
    for run in _parents_first(runs, lambda r: r.id, lambda r: r.parent_id):
        if run.status == "running":
            report.skipped.append((run.id, "still running; export it when it has ended"))
            continue
        exp_id = experiment_ids.get(run.experiment)
        if exp_id is None:
            found = client.get_experiment_by_name(run.experiment)
            exp_id = found.experiment_id if found else client.create_experiment(run.experiment)
            experiment_ids[run.experiment] = exp_id
        existing = client.search_runs([exp_id], f"tags.`{OUR_ID_TAG}` = '{run.id}'", max_results=1)
        if existing:
            mapped[run.id] = existing[0].info.run_id
            report.skipped.append((run.id, f"already in MLflow as {existing[0].info.run_id}"))
            continue
        if run.tags.get(THEIR_ID_TAG):
            mapped[run.id] = run.tags[THEIR_ID_TAG]
            report.skipped.append((run.id, f"imported from MLflow run {run.tags[THEIR_ID_TAG]}"))
            continue
        mapped[run.id] = _export_run(client, store, run, exp_id, mapped.get(run.parent_id or ""))
        report.moved.append((run.id, mapped[run.id]))
    export_models(client, store, mapped, report.models)
    return report


def _export_run(client: Any, store: Store, run: Run, exp_id: str, parent: str | None) -> str:
    from mlflow.entities import Metric, Param, RunTag

    tags = {OUR_ID_TAG: run.id, "mlflow.runName": run.name, "jupyter_mlops.source": run.source}
    tags.update(run.tags)
    if run.note:
        tags["mlflow.note.content"] = run.note
    if run.user:
        tags["mlflow.user"] = run.user
    if parent:
        tags["mlflow.parentRunId"] = parent
    params_json = json.dumps(run.params)
    if len(params_json) <= _TAG_LIMIT:
        tags[PARAMS_TAG] = params_json
    if run.outputs:
        tags[OUTPUTS_TAG] = json.dumps(run.outputs)[:_TAG_LIMIT]
    created = client.create_run(exp_id, start_time=_ms(run.started_at), tags=tags, run_name=run.name)
    mlflow_id = created.info.run_id
    params = [Param(k, _param_text(v)[:6000]) for k, v in run.params.items()]
    for start in range(0, len(params), 100):
        client.log_batch(mlflow_id, params=params[start : start + 100])
    for key in store.metric_keys(run.id):
        history = store.metric_history(run.id, key)
        batch: list[Any] = []
        for step, value, timestamp in zip(history.steps, history.values, history.timestamps, strict=True):
            batch.append(Metric(key, value, int(timestamp * 1000), step))
            if len(batch) == _BATCH:
                client.log_batch(mlflow_id, metrics=batch)
                batch = []
        if batch:
            client.log_batch(mlflow_id, metrics=batch)
    with tempfile.TemporaryDirectory() as folder:
        snapshot = store.snapshot_bytes(run.id)
        if snapshot is not None:
            path = Path(folder) / SNAPSHOT_NAME
            path.write_bytes(snapshot)
            client.log_artifact(mlflow_id, str(path), _META_DIR)
        extras = {"environment.json": run.env, "execution_record.json": [c.__dict__ for c in run.execution_record()],
                  "error.json": run.error}
        for name, content in extras.items():
            if content:
                path = Path(folder) / name
                path.write_text(json.dumps(content, indent=1, default=str))
                client.log_artifact(mlflow_id, str(path), _META_DIR)
        for artifact in run.artifacts():
            target = Path(folder) / "artifacts" / artifact.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.artifact_bytes(run.id, artifact.name))
            subdir = os.path.dirname(artifact.name) or None
            client.log_artifact(mlflow_id, str(target), subdir)
    client.log_batch(mlflow_id, tags=[RunTag("jupyter_mlops.exported", "true")])
    client.set_terminated(mlflow_id, _TO_MLFLOW_STATUS[run.status], end_time=_ms(run.ended_at))
    return str(mlflow_id)


# --- import -------------------------------------------------------------------------


def import_runs(store: Store, tracking_uri: str, experiment: str | None = None) -> ExchangeReport:
    """Bring MLflow runs (params, metric histories, tags, note, artifacts) into the store."""
    client = _client(tracking_uri)
    if experiment is not None:
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise MlopsError(f"MLflow at {tracking_uri} has no experiment named {experiment!r}")
        experiments = [found]
    else:
        experiments = client.search_experiments()
    report = ExchangeReport(models=ExchangeReport())
    mapped: dict[str, str] = {}
    names = {exp.experiment_id: exp.name for exp in experiments}
    runs = _parents_first(sorted((run for exp in experiments for run in _all_runs(client, exp.experiment_id)),
                                 key=lambda r: r.info.start_time or 0),
                          lambda r: r.info.run_id, lambda r: r.data.tags.get("mlflow.parentRunId"))
    for their in runs:
        their_id = their.info.run_id
        ours = their.data.tags.get(OUR_ID_TAG)
        if ours and _exists(store, ours):
            mapped[their_id] = ours
            report.skipped.append((their_id, f"exported from this store's run {ours}"))
            continue
        already = store.search_runs(f"tags.`{THEIR_ID_TAG}` = '{their_id}'", limit=1)
        if already:
            mapped[their_id] = already[0].id
            report.skipped.append((their_id, f"already imported as {already[0].id}"))
            continue
        status = _FROM_MLFLOW_STATUS.get(their.info.status)
        if status is None:
            report.skipped.append((their_id, f"{their.info.status.lower()} in MLflow; import it when it has ended"))
            continue
        parent = mapped.get(their.data.tags.get("mlflow.parentRunId", ""))
        mapped[their_id] = _import_run(client, store, their, names[their.info.experiment_id], status, parent)
        report.moved.append((their_id, mapped[their_id]))
    import_models(client, store, mapped, report.models, tracking_uri)
    return report


def _parents_first(runs: Iterable[T], id_of: Callable[[T], str], parent_of: Callable[[T], str | None]) -> list[T]:
    """``runs`` in their order (the order they started), each child after its parent: a child
    goes to the other side under its parent's new id. A child that came before its parent
    (clocks apart) waits for it, and is placed right after it. On import this keeps start
    order, which gives runs made one after another their own colours (a run's colour is the
    one after its experiment's newest run's)."""
    runs = list(runs)
    present = {id_of(run) for run in runs}
    placed: set[str] = set()
    waiting: dict[str, list[T]] = {}
    ordered: list[T] = []

    def place(run: T) -> None:
        ordered.append(run)
        placed.add(id_of(run))
        for child in waiting.pop(id_of(run), []):
            place(child)

    for run in runs:
        parent = parent_of(run)
        if parent in present and parent not in placed and parent != id_of(run):
            waiting.setdefault(parent, []).append(run)
        else:
            place(run)
    for left in waiting.values():  # runs that name each other as parents: placed as they came
        ordered.extend(left)
    return ordered


def _all_runs(client: Any, experiment_id: str) -> list[Any]:
    return all_pages(client.search_runs, [experiment_id])


def _exists(store: Store, run_id: str) -> bool:
    from ..errors import RunNotFound

    try:
        store.get_run(run_id)
    except RunNotFound:
        return False
    return True


def _import_run(client: Any, store: Store, their: Any, experiment: str, status: str, parent: str | None) -> str:
    from ..store.batches import WriteBatch

    tags = dict(their.data.tags)
    name = tags.pop("mlflow.runName", None) or their.info.run_name or their.info.run_id[:8]
    note = tags.pop("mlflow.note.content", "")
    params: dict[str, Any] = {k: _typed(v) for k, v in their.data.params.items()}
    if PARAMS_TAG in tags:
        with contextlib.suppress(ValueError):
            params.update(json.loads(tags[PARAMS_TAG]))
    outputs = json.loads(tags[OUTPUTS_TAG]) if OUTPUTS_TAG in tags else {}
    kept = {k: v for k, v in tags.items() if not k.startswith(("mlflow.", "jupyter_mlops."))}
    kept[THEIR_ID_TAG] = their.info.run_id
    source = tags.get("jupyter_mlops.source", "api")
    run_id = new_run_id()
    store.create_run(run_id, name=name, experiment=experiment, parent_id=parent, source=source,
                     params=params, tags=kept, started_at=(their.info.start_time or 0) / 1000,
                     host="imported-from-mlflow", pid=0, note=note,
                     user=tags.get("mlflow.user") or their.info.user_id or None)
    series = {}
    for key in their.data.metrics:
        points = client.get_metric_history(their.info.run_id, key)
        points.sort(key=lambda m: (m.step, m.timestamp))
        series[(run_id, key)] = (
            array.array("q", (m.step for m in points)),
            array.array("d", (m.value if m.value is not None else math.nan for m in points)),
            array.array("d", (m.timestamp / 1000 for m in points)),
        )
    if outputs:
        store.set_outputs(run_id, outputs)
    _import_artifacts(client, store, their.info.run_id, run_id)
    ended = (their.info.end_time or their.info.start_time or 0) / 1000
    store.write_batch(WriteBatch(series=series, ends={run_id: (status, ended, None)}))
    return run_id


def _typed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _import_artifacts(client: Any, store: Store, their_id: str, run_id: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for path in _artifact_paths(client, their_id, ""):
            local = client.download_artifacts(their_id, path, folder)
            if path == f"{_META_DIR}/{SNAPSHOT_NAME}":
                store.set_snapshot(run_id, Path(local).read_bytes())
            elif not path.startswith(f"{_META_DIR}/"):
                store.log_artifact(run_id, local, name=path)


def _artifact_paths(client: Any, run_id: str, path: str) -> list[str]:
    found: list[str] = []
    for item in client.list_artifacts(run_id, path or None):
        if item.is_dir:
            found.extend(_artifact_paths(client, run_id, item.path))
        else:
            found.append(item.path)
    return found
