"""The model registry: named models, numbered versions of run artifacts, aliases.

Versions are numbered 1, 2, 3 ... per model inside the transaction that inserts them, with
the model's row locked (SQLite's ``BEGIN IMMEDIATE`` serialises writers already; PostgreSQL
takes ``SELECT ... FOR UPDATE``), so concurrent writers get distinct numbers. A version is
the digest of an artifact: registering the same bytes again gives the existing version.
Every alias move is one transaction that also appends to the alias's history.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update

from ..config import current_user
from ..errors import (
    AliasNotFound,
    InvalidInput,
    ModelNotFound,
    ModelVersionNotFound,
    RunHasRegisteredModels,
    RunNotFound,
)
from . import schema as s
from .model_entities import DIRECTORY, FILE, AliasMove, ModelVersion, RegisteredModel
from .model_names import (
    MAX_VERSION,
    ModelRef,
    parse_model_uri,
    validate_alias,
    validate_model_name,
    validate_version,
)
from .packing import unpack_directory

if TYPE_CHECKING:
    from .sqlstore import Store

MAX_TAG_KEY = 250


def check_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidInput(f"model version tags must be a dict of text, got {type(tags).__name__}")
    checked = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_TAG_KEY:
            raise InvalidInput(f"a tag name must be non-empty text of at most {MAX_TAG_KEY} characters, "
                               f"got {key!r}")
        checked[key] = str(value)
    return checked


class ModelRegistry:
    """The registry of one store (``store.models``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- writing -------------------------------------------------------------------

    def register(self, name: str, run_id: str, artifact: str, *, kind: str = FILE,
                 tags: Mapping[str, Any] | None = None, alias: str | None = None) -> ModelVersion:
        """A new version of ``name`` from artifact ``artifact`` of run ``run_id`` (created with
        the model if new), or the existing version with the same bytes. ``alias`` then points
        at the version returned."""
        validate_model_name(name)
        checked_tags = check_tags(tags)
        if alias is not None:
            validate_alias(alias)
        if kind not in (FILE, DIRECTORY):
            raise InvalidInput(f"kind is {FILE!r} or {DIRECTORY!r}, not {kind!r}")
        a = s.artifacts
        user = current_user()
        with self.store._write() as conn:
            found = conn.execute(select(a.c.digest, a.c.size)
                                 .where(a.c.run_id == run_id, a.c.name == artifact)).first()
            if found is None:
                if conn.execute(select(s.runs.c.id).where(s.runs.c.id == run_id)).first() is None:
                    raise RunNotFound(run_id, self.store.location)
                raise InvalidInput(f"run {run_id} has no artifact named {artifact!r}; list them with "
                                   f"`jupyter mlops show {run_id}` or log it first")
            digest, size = found
            conn.execute(self._insert_model.values(name=name, created_at=time.time(), user=user))
            self._lock(conn, name)
            now = time.time()  # taken under the lock, so times follow the order of writes
            mv = s.model_versions
            version = conn.execute(select(mv.c.version)
                                   .where(mv.c.model == name, mv.c.digest == digest)).scalar()
            if version is None:
                version = (conn.execute(select(func.max(mv.c.version)).where(mv.c.model == name)).scalar() or 0) + 1
                conn.execute(mv.insert().values(
                    model=name, version=version, run_id=run_id, artifact=artifact, kind=kind, digest=digest,
                    size=size, created_at=now, user=user, tags=json.dumps(checked_tags, sort_keys=True)))
            if alias is not None:
                self._move_alias(conn, name, alias, version, now, user)
        return self.version(name, version)

    def by_digest(self, name: str, digest: str) -> ModelVersion | None:
        """The version of ``name`` holding exactly these bytes, if there is one."""
        mv = s.model_versions
        digest = digest.removeprefix("sha256:")
        with self.store._read() as conn:
            rows = conn.execute(select(mv).where(mv.c.model == name, mv.c.digest == digest)).all()
            found = self._versions(conn, rows)
        return found[0] if found else None

    def set_alias(self, name: str, alias: str, version: int | str) -> ModelVersion:
        """Point ``alias`` at ``version`` (one transaction, recorded in the alias's history)."""
        validate_model_name(name)
        validate_alias(alias)
        number = validate_version(version)
        with self.store._write() as conn:
            self._lock(conn, name, must_exist=True)
            self._move_alias(conn, name, alias, number, time.time(), current_user())  # time under the lock
        return self.version(name, number)

    def delete_alias(self, name: str, alias: str) -> AliasMove:
        validate_model_name(name)
        validate_alias(alias)
        ma = s.model_aliases
        user = current_user()
        with self.store._write() as conn:
            self._lock(conn, name, must_exist=True)
            now = time.time()
            current = conn.execute(select(ma.c.version).where(ma.c.model == name, ma.c.alias == alias)).scalar()
            if current is None:
                raise AliasNotFound(self._no_alias(conn, name, alias))
            conn.execute(delete(ma).where(ma.c.model == name, ma.c.alias == alias))
            move = AliasMove(alias, current, None, now, user)
            conn.execute(s.model_alias_history.insert().values(
                model=name, alias=alias, from_version=current, to_version=None, at=now, user=user))
        return move

    def _move_alias(self, conn: Connection, name: str, alias: str, version: int, now: float,
                    user: str | None) -> None:
        mv, ma = s.model_versions, s.model_aliases
        if version > MAX_VERSION or conn.execute(
                select(mv.c.version).where(mv.c.model == name, mv.c.version == version)).first() is None:
            raise ModelVersionNotFound(self._no_version(conn, name, version))
        current = conn.execute(select(ma.c.version).where(ma.c.model == name, ma.c.alias == alias)).scalar()
        if current == version:
            return  # already there: not a move
        if current is None:
            conn.execute(ma.insert().values(model=name, alias=alias, version=version, updated_at=now, user=user))
        else:
            conn.execute(update(ma).where(ma.c.model == name, ma.c.alias == alias)
                         .values(version=version, updated_at=now, user=user))
        conn.execute(s.model_alias_history.insert().values(
            model=name, alias=alias, from_version=current, to_version=version, at=now, user=user))

    def _lock(self, conn: Connection, name: str, *, must_exist: bool = False) -> None:
        """Hold the model's row until the transaction ends (a no-op clause on SQLite, whose
        writers are serialised by BEGIN IMMEDIATE)."""
        row = conn.execute(select(s.models.c.name).where(s.models.c.name == name).with_for_update()).first()
        if row is None and must_exist:
            raise ModelNotFound(self._no_model(conn, name))

    @property
    def _insert_model(self) -> Any:
        return self.store._dialect_insert(s.models).on_conflict_do_nothing(index_elements=[s.models.c.name])

    # --- runs and their versions -----------------------------------------------------

    def check_runs_deletable(self, conn: Connection, run_ids: Sequence[str]) -> None:
        """Refuse to delete runs whose artifacts are registered versions (see ``Store.delete_run``)."""
        mv = s.model_versions
        rows = conn.execute(select(mv.c.model, mv.c.version, mv.c.run_id).where(mv.c.run_id.in_(list(run_ids)))
                            .order_by(mv.c.model, mv.c.version).limit(6)).all()
        if rows:
            named = ", ".join(f"{model}/{version} (run {run_id})" for model, version, run_id in rows[:5])
            more = " and more" if len(rows) > 5 else ""
            raise RunHasRegisteredModels(
                f"not deleted: registered model versions come from it: {named}{more}. Delete with "
                "force=True (the versions keep their bytes) or register other runs' artifacts first")

    def versions_of_run(self, run_id: str) -> list[ModelVersion]:
        mv = s.model_versions
        with self.store._read() as conn:
            rows = conn.execute(select(mv).where(mv.c.run_id == run_id).order_by(mv.c.model, mv.c.version)).all()
            return self._versions(conn, rows)

    # --- reading ---------------------------------------------------------------------

    def list(self) -> list[RegisteredModel]:
        """Every model with its latest version number and aliases, by name."""
        m, mv, ma = s.models, s.model_versions, s.model_aliases
        with self.store._read() as conn:
            latest = dict(conn.execute(select(mv.c.model, func.max(mv.c.version)).group_by(mv.c.model)).all())
            aliases: dict[str, dict[str, int]] = {}
            for model, alias, version in conn.execute(select(ma.c.model, ma.c.alias, ma.c.version)
                                                      .order_by(ma.c.model, ma.c.alias)):
                aliases.setdefault(model, {})[alias] = version
            rows = conn.execute(select(m).order_by(m.c.name)).all()
        return [RegisteredModel(row.name, row.created_at, row.user, latest.get(row.name), aliases.get(row.name, {}))
                for row in rows]

    def get(self, name: str, *, limit: int | None = None, offset: int = 0,
            history_limit: int | None = None) -> RegisteredModel:
        """A model with its versions (newest first; ``limit`` of them from ``offset``) and its
        aliases' history (oldest first; the last ``history_limit`` moves)."""
        validate_model_name(name)
        m, mv, ma, h = s.models, s.model_versions, s.model_aliases, s.model_alias_history
        with self.store._read() as conn:
            row = conn.execute(select(m).where(m.c.name == name)).first()
            if row is None:
                raise ModelNotFound(self._no_model(conn, name))
            versions = self._versions(conn, conn.execute(
                select(mv).where(mv.c.model == name).order_by(mv.c.version.desc()).limit(limit).offset(offset)).all())
            latest = conn.execute(select(func.max(mv.c.version)).where(mv.c.model == name)).scalar()
            aliases = dict(conn.execute(select(ma.c.alias, ma.c.version).where(ma.c.model == name)
                                        .order_by(ma.c.alias)).all())
            history = [AliasMove(r.alias, r.from_version, r.to_version, r.at, r.user) for r in conn.execute(
                select(h).where(h.c.model == name).order_by(h.c.id.desc()).limit(history_limit))][::-1]
        return RegisteredModel(row.name, row.created_at, row.user, latest, aliases, versions, history)

    def version(self, name: str, version: int | str) -> ModelVersion:
        return self.resolve(ModelRef(validate_model_name(name), validate_version(version)))

    def resolve(self, uri: str | ModelRef) -> ModelVersion:
        """The version a URI names (``name``, ``name/3``, ``name@alias``, ``models:/...``)."""
        ref = uri if isinstance(uri, ModelRef) else parse_model_uri(uri)
        mv, ma = s.model_versions, s.model_aliases
        with self.store._read() as conn:
            if conn.execute(select(s.models.c.name).where(s.models.c.name == ref.name)).first() is None:
                raise ModelNotFound(self._no_model(conn, ref.name))
            number = ref.version
            if ref.alias is not None:
                number = conn.execute(select(ma.c.version)
                                      .where(ma.c.model == ref.name, ma.c.alias == ref.alias)).scalar()
                if number is None:
                    raise AliasNotFound(self._no_alias(conn, ref.name, ref.alias))
            elif number is None:
                number = conn.execute(select(func.max(mv.c.version)).where(mv.c.model == ref.name)).scalar()
                if number is None:
                    raise ModelVersionNotFound(f"model {ref.name!r} has no versions yet; register one with "
                                               "mlops.register_model")
            row = None if number > MAX_VERSION else conn.execute(
                select(mv).where(mv.c.model == ref.name, mv.c.version == number)).first()
            if row is None:
                raise ModelVersionNotFound(self._no_version(conn, ref.name, number))
            return self._versions(conn, [row])[0]

    def _versions(self, conn: Connection, rows: Iterable[Any]) -> list[ModelVersion]:
        rows = list(rows)
        if not rows:
            return []
        ma = s.model_aliases
        aliases: dict[tuple[str, int], list[str]] = {}
        for model, alias, version in conn.execute(
                select(ma.c.model, ma.c.alias, ma.c.version)
                .where(ma.c.model.in_(sorted({r.model for r in rows}))).order_by(ma.c.alias)):
            aliases.setdefault((model, version), []).append(alias)
        return [ModelVersion(name=r.model, version=r.version, run_id=r.run_id, artifact=r.artifact, digest=f"sha256:{r.digest}",
                             size=r.size, created_at=r.created_at, user=r.user, kind=r.kind,
                             aliases=aliases.get((r.model, r.version), []), tags=json.loads(r.tags or "{}"),
                             _registry=self)
                for r in rows]

    # --- messages ---------------------------------------------------------------------

    def _no_model(self, conn: Connection, name: str) -> str:
        names = list(conn.execute(select(s.models.c.name).order_by(s.models.c.name).limit(11)).scalars())
        known = f"; registered models: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}" if names \
            else "; none is registered yet"
        return (f"no registered model named {name!r} in the store at {self.store.location}{known} "
                "(list them with `jupyter mlops models list`)")

    def _no_version(self, conn: Connection, name: str, version: int) -> str:
        mv = s.model_versions
        top = conn.execute(select(func.max(mv.c.version)).where(mv.c.model == name)).scalar()
        have = f"its versions are 1 to {top}" if top else "it has no versions yet"
        return f"model {name!r} has no version {version}; {have} (see `jupyter mlops models show {name}`)"

    def _no_alias(self, conn: Connection, name: str, alias: str) -> str:
        ma = s.model_aliases
        known = list(conn.execute(select(ma.c.alias).where(ma.c.model == name).order_by(ma.c.alias)).scalars())
        have = f"its aliases are {', '.join(known)}" if known else "it has no aliases yet"
        return (f"model {name!r} has no alias {alias!r}; {have} (set one with "
                f"`jupyter mlops models alias {name} {alias} VERSION`)")

    # --- local copies -------------------------------------------------------------------

    def cache_folder(self) -> Path:
        """Where local copies of versions live: ``<store>/cache/models`` for a folder store,
        ``<blobs>/.cache/models`` for a database server's."""
        if self.store.is_sqlite:
            return Path(self.store.location) / "cache" / "models"
        return self.store.blobs.root / ".cache" / "models"

    def local_path(self, version: ModelVersion) -> Path:
        """A local copy of a version, made once per digest (then reused by every version and
        process with the same bytes). Written beside its place and renamed in, so a reader
        never sees half a copy."""
        base = os.path.basename(version.artifact.replace("\\", "/")) or "model"
        if version.kind == DIRECTORY and base.endswith(".tar"):
            base = base[:-4] or "model"
        try:
            folder = self.cache_folder() / version.blob_digest
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only store: copies go to this user's temporary folder
            folder = Path(tempfile.gettempdir()) / f"jupyter-mlops-models-{os.getuid()}" / version.blob_digest
            folder.mkdir(parents=True, exist_ok=True)
        target = folder / base
        if target.exists() and (version.kind == DIRECTORY or target.stat().st_size == version.size):
            return target
        data = self.store.blobs.get(version.blob_digest)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            if version.kind == DIRECTORY:
                unpack_directory(data, staging / base)
            else:
                (staging / base).write_bytes(data)
            try:
                os.replace(staging / base, target)
            except OSError:
                if not target.exists():
                    raise  # else another process put the same copy there first
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target
