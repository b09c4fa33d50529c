"""REST routes of the model registry under ``{base_url}mlops/api/models``.

``GET models``, ``GET models/{name}`` (versions with their runs, aliases, alias history),
``PUT models/{name}/aliases/{alias}`` ``{"version": N}``, ``DELETE models/{name}/aliases/{alias}``.
Thin: the registry (``Store.models``) validates and decides; errors come back as JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import RunNotFound
from .handlers import ApiError, MlopsHandler

if TYPE_CHECKING:
    from ..store.sqlstore import Store

MAX_HISTORY = 500  # alias moves in one reply (the newest)


def model_detail(store: Store, name: str, limit: int, offset: int) -> dict[str, Any]:
    """A model with one page of versions, each with its run's name and status (None when the
    run was deleted with force)."""
    model = store.models.get(name, limit=limit, offset=offset, history_limit=MAX_HISTORY)
    reply = model.to_dict()
    runs: dict[str, dict[str, Any] | None] = {}
    for version in reply["versions"]:
        run_id = version["run_id"]
        if run_id and run_id not in runs:
            try:
                run = store.get_run(run_id)
                runs[run_id] = {"id": run.id, "name": run.name, "status": run.status, "experiment": run.experiment}
            except RunNotFound:
                runs[run_id] = None
        version["run"] = runs.get(run_id) if run_id else None
    reply.update(total_versions=model.latest_version or 0, limit=limit, offset=offset)
    return reply


class ModelsHandler(MlopsHandler):
    """``GET models``: every model with its latest version and aliases."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        store = await self.store()
        models = [] if store is None else await self.call(store.models.list)
        self.write_json({"models": [m.summary() for m in models]})


class _RegistryHandler(MlopsHandler):
    async def registry_store(self) -> Store:
        store = await self.store()
        if store is None:
            raise ApiError(404, "model_not_found", f"there are no models yet: no store exists at {self.location()}")
        return store


class ModelHandler(_RegistryHandler):
    """``GET models/{name}?limit=&offset=``: versions (newest first), aliases and alias history."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        limit = self.int_argument("limit", 100, 1, self.mlops.max_page_size)
        offset = self.int_argument("offset", 0, 0, 2**31)
        store = await self.registry_store()
        self.write_json(await self.call(model_detail, store, name, limit, offset))


class AliasHandler(_RegistryHandler):
    """``PUT models/{name}/aliases/{alias}`` ``{"version": N}`` moves (or creates) an alias in one
    transaction, recorded in its history; ``DELETE`` removes it."""

    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        payload = self.json_body()
        version = payload.get("version") if isinstance(payload, dict) else None
        if isinstance(version, bool) or not isinstance(version, int):
            raise ApiError(400, "invalid_input", 'send the version the alias should point at: {"version": 3}',
                           parameter="version")
        store = await self.registry_store()
        moved = await self.call(store.models.set_alias, name, alias, version)
        self.write_json(moved.to_dict())

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        store = await self.registry_store()
        await self.call(store.models.delete_alias, name, alias)
        self.set_status(204)
        self.finish()


def model_routes(prefix: str) -> list[tuple[str, type[MlopsHandler]]]:
    name = r"(?P<name>[^/]+)"
    return [
        (f"{prefix}/models", ModelsHandler),
        (f"{prefix}/models/{name}", ModelHandler),
        (f"{prefix}/models/{name}/aliases/(?P<alias>[^/]+)", AliasHandler),
    ]
