"""Plain entities of the model registry, handed out by :class:`~.registry.ModelRegistry`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import ModelRegistry

FILE, DIRECTORY = "file", "directory"


@dataclass(repr=False)
class ModelVersion:
    name: str
    version: int
    run_id: str | None
    artifact: str
    digest: str  # "sha256:<hex>", as a FileRef's
    size: int
    created_at: float
    user: str | None = None
    kind: str = FILE  # a directory is stored as a deterministic tar and unpacked by path()
    aliases: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    _registry: ModelRegistry | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        aliases = f", aliases={self.aliases!r}" if self.aliases else ""
        return (f"ModelVersion(name={self.name!r}, version={self.version}, run_id={self.run_id!r}, "
                f"artifact={self.artifact!r}{aliases})")

    @property
    def blob_digest(self) -> str:
        """The bare sha256 hex that names the bytes in the blob store."""
        return self.digest.removeprefix("sha256:")

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    def path(self) -> Path:
        """A local copy of the version's file (a directory for a directory version), made once
        per digest in the store's cache and reused."""
        if self._registry is None:
            raise RuntimeError("this ModelVersion is not attached to a store")
        return self._registry.local_path(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "run_id": self.run_id, "artifact": self.artifact,
            "kind": self.kind, "digest": self.digest, "size": self.size,
            "created_at": self.created_at, "user": self.user, "aliases": list(self.aliases),
            "tags": dict(self.tags), "uri": self.uri,
        }


@dataclass(frozen=True)
class AliasMove:
    """One move of an alias: ``from_version`` None when it was created, ``to_version`` None
    when it was deleted."""

    alias: str
    from_version: int | None
    to_version: int | None
    at: float
    user: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"alias": self.alias, "from_version": self.from_version, "to_version": self.to_version,
                "at": self.at, "user": self.user}


@dataclass(repr=False)
class RegisteredModel:
    name: str
    created_at: float
    user: str | None
    latest_version: int | None
    aliases: dict[str, int] = field(default_factory=dict)
    versions: list[ModelVersion] = field(default_factory=list)  # filled by ModelRegistry.get
    alias_history: list[AliasMove] = field(default_factory=list)  # likewise

    def __repr__(self) -> str:
        return (f"RegisteredModel(name={self.name!r}, latest_version={self.latest_version}, "
                f"aliases={self.aliases!r})")

    def summary(self) -> dict[str, Any]:
        """Name, latest version number, aliases, creation: a row of a list of models."""
        return {"name": self.name, "latest_version": self.latest_version, "aliases": dict(self.aliases),
                "created_at": self.created_at, "user": self.user}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "created_at": self.created_at, "user": self.user,
            "latest_version": self.latest_version, "aliases": dict(self.aliases),
            "versions": [v.to_dict() for v in self.versions],
            "alias_history": [m.to_dict() for m in self.alias_history],
        }
