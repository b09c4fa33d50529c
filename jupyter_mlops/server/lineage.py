"""REST routes of lineage under ``{base_url}mlops/api/``.

``GET runs/{id}/files`` (the files a run read and wrote) and ``GET lineage?run=ID`` or
``GET lineage?path=FILE`` (the graph around a run or a file, ``Store.lineage``'s payload).
For ``path=`` the file (relative to the server root, as the file browser shows it) also
says where the store is, as a directory's ``path=`` does on every other route; it may not
lead outside the root. ``GET lineage?file=STORED&path=DIR`` starts from a file as the
records name it (relative to the project root, as a lineage node's ``path``) in the store of
directory DIR: how a view re-centres on a file node without knowing where the server root is.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import MlopsError
from .handlers import RUN, ApiError, MlopsHandler, api_error
from .paths import resolve_directory, store_location

if TYPE_CHECKING:
    from ..store.lineage import Lineage
    from ..store.sqlstore import Store

MAX_PATH = 4096


class RunFilesHandler(MlopsHandler):
    """``GET runs/{id}/files?role=input|output``."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        role = self.get_argument("role", "") or None
        if role not in (None, "input", "output"):
            raise ApiError(400, "invalid_input", f"role is 'input' or 'output', not {role!r}", parameter="role")
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        files = await self.call(store.files.of_run, run.id, role)
        self.write_json({"run_id": run.id, "files": [ref.to_dict() for ref in files]})


class LineageHandler(MlopsHandler):
    """``GET lineage?run=ID`` or ``GET lineage?file=STORED`` (``path=`` then names the
    directory, as elsewhere) or ``GET lineage?path=FILE``."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        run_id = self.get_argument("run", "") or None
        stored = self.get_argument("file", "") or None
        if run_id is not None and stored is not None:
            raise ApiError(400, "invalid_input", "give run=RUN_ID or file=PATH, not both", parameter="file")
        if run_id is not None:
            store = await self.required_store()
            graph = await self.call(store.lineage, run_id=run_id)
        elif stored is not None:
            if len(stored) > MAX_PATH:
                raise ApiError(400, "invalid_input", f"file is longer than {MAX_PATH} characters", parameter="file")
            store = await self.required_store()
            graph = await self._walk(store, _recorded(store, stored))
        else:
            graph = await self._of_file(self.get_argument("path", ""))
        self.write_json(graph.to_dict())

    async def _of_file(self, text: str) -> Lineage:
        if not text.strip("/"):
            raise ApiError(400, "invalid_input", "give run=RUN_ID or path=FILE (relative to the server root)",
                           parameter="path")
        if len(text) > MAX_PATH:
            raise ApiError(400, "invalid_input", f"path is longer than {MAX_PATH} characters", parameter="path")
        relative = text.replace("\\", "/").strip("/")
        try:
            folder = resolve_directory(self.root_dir, str(Path(relative).parent))  # refuses escapes
        except MlopsError as exc:
            raise api_error(exc, parameter="path") from None
        absolute = folder / Path(relative).name
        store: Store | None = await self.call(_open, store_location(self.root_dir, folder, self.mlops.store))
        if store is None:
            raise ApiError(404, "path_not_tracked", f"no store exists for {relative!r}: no run recorded it")
        return await self._walk(store, str(absolute))

    async def _walk(self, store: Store, absolute: str) -> Lineage:
        from ..store.lineage import PathNotTracked, stored_path

        def walk() -> Lineage:
            return store.lineage(path=stored_path(store, absolute))

        try:
            return await asyncio.get_running_loop().run_in_executor(None, walk)
        except PathNotTracked as exc:
            raise ApiError(404, "path_not_tracked", str(exc), parameter="path") from None
        except MlopsError as exc:
            raise api_error(exc, parameter="path") from None


def _recorded(store: Store, stored: str) -> str:
    """A recorded path made absolute (relative ones are under the project root), so that
    its stored form does not depend on the server's working directory."""
    from ..store.files import project_root

    text = stored.replace("\\", "/")
    return text if os.path.isabs(text) else str(project_root(store) / text)


def _open(location: str) -> Store | None:
    from .paths import open_existing_store

    return open_existing_store(location)


def lineage_routes(prefix: str) -> list[tuple[str, type[MlopsHandler]]]:
    return [
        (f"{prefix}/runs/{RUN}/files", RunFilesHandler),
        (f"{prefix}/lineage", LineageHandler),
    ]
