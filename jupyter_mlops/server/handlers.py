"""Request handlers under ``{base_url}mlops/api/``: thin, over the store and the runner.

One base class reads the request's directory (``path=``), finds its store, runs the
blocking store calls off the event loop, and turns every error into JSON
``{"error": CODE, "detail": MESSAGE}`` with a fitting status.
"""

from __future__ import annotations

import asyncio
import functools
import json
import mimetypes
import os
import posixpath
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from .._version import __version__
from ..errors import FilterSyntaxError, InvalidInput, MlopsError, RunNotFound, StoreError
from . import payloads
from .compare import compare_runs
from .paths import (
    PathNotFound,
    PathOutsideRoot,
    check_notebook_inside,
    open_existing_store,
    resolve_directory,
    store_exists,
    store_location,
)
from .streaming import open_artifact, send_stream

if TYPE_CHECKING:
    from ..store.sqlstore import Store
    from .app import MlopsApp

T = TypeVar("T")

#: Content types an artifact is served with; anything else goes out as a plain download.
SAFE_ARTIFACT_TYPES = {
    "application/json",
    "application/pdf",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
    "text/csv",
    "text/plain",
}


class ApiError(web.HTTPError):
    """An error reply: status, a short code and a message saying what to do."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(status, log_message=detail.replace("%", "%%"))
        self.error = error
        self.detail = detail
        self.extra = extra


class RunStillRunning(MlopsError):
    """The run cannot be changed this way while it runs."""


def _status_of(exc: MlopsError) -> tuple[int, str]:
    if isinstance(exc, FilterSyntaxError):
        return 400, "invalid_filter"
    if isinstance(exc, RunNotFound):
        return 404, "run_not_found"
    if isinstance(exc, payloads.MetricNotFound):
        return 404, "metric_not_found"
    if isinstance(exc, payloads.SnapshotNotFound):
        return 404, "snapshot_not_found"
    if isinstance(exc, PathOutsideRoot):
        return 403, "path_outside_root"
    if isinstance(exc, PathNotFound):
        return 404, "path_not_found"
    if isinstance(exc, RunStillRunning):
        return 409, "run_running"
    if isinstance(exc, StoreError):
        return 503, "store_unavailable"
    if isinstance(exc, InvalidInput):
        return 400, "invalid_input"
    return 400, "mlops_error"


def api_error(exc: MlopsError, parameter: str | None = None) -> ApiError:
    status, code = _status_of(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, FilterSyntaxError):
        extra = {"position": exc.position, "reason": exc.reason, "text": exc.text}
    if parameter:
        extra["parameter"] = parameter
    return ApiError(status, code, str(exc), **extra)


_HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
}


class MlopsHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every route: authentication, the request's store, JSON errors."""

    auth_resource = "mlops"

    @property
    def mlops(self) -> MlopsApp:
        return self.extensionapp  # type: ignore[return-value]

    # --- replies ------------------------------------------------------------------

    def write_json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(payloads.dumps(value), set_content_type="application/json; charset=UTF-8")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            reply = {"error": exc.error, "detail": exc.detail, **exc.extra}
        elif isinstance(exc, web.HTTPError):
            reply = {
                "error": _HTTP_CODES.get(status_code, f"http_{status_code}"),
                "detail": exc.log_message % exc.args
                if exc.log_message
                else (exc.reason or self._reason),
            }
        else:
            reply = {
                "error": "internal_error",
                "detail": "unexpected server error; the Jupyter server's log has the traceback",
            }
        self.finish(json.dumps(reply), set_content_type="application/json; charset=UTF-8")

    # --- request data ---------------------------------------------------------------

    def int_argument(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self.get_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(
                400, "invalid_input", f"{name} must be a whole number, got {raw!r}", parameter=name
            ) from None
        if not minimum <= value <= maximum:
            raise ApiError(
                400,
                "invalid_input",
                f"{name} must be between {minimum} and {maximum}, got {value}",
                parameter=name,
            )
        return value

    def json_body(self) -> Any:
        if not self.request.body:
            return None
        try:
            return json.loads(self.request.body)
        except ValueError as exc:
            raise ApiError(
                400, "invalid_json", f"the request body is not valid JSON: {exc}"
            ) from None

    # --- the store ------------------------------------------------------------------

    @property
    def root_dir(self) -> str:
        return os.fspath(self.serverapp.root_dir)

    def directory(self) -> Path:
        try:
            return resolve_directory(self.root_dir, self.get_argument("path", ""))
        except MlopsError as exc:
            raise api_error(exc, parameter="path") from None

    def location(self) -> str:
        return store_location(self.root_dir, self.directory(), self.mlops.store)

    async def store(self) -> Store | None:
        """The request's store; ``None`` while it is a directory nobody has created yet."""
        return await self.call(open_existing_store, self.location())

    async def required_store(self) -> Store:
        store = await self.store()
        if store is None:
            raise ApiError(
                404, "run_not_found", f"there are no runs yet: no store exists at {self.location()}"
            )
        return store

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in a worker thread; domain errors become JSON replies."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))
        except MlopsError as exc:
            raise api_error(exc) from None


# --- routes ---------------------------------------------------------------------------


class InfoHandler(MlopsHandler):
    """``GET info``: the server extension's version and the store ``path=`` resolves to."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        location = self.location()
        self.write_json(
            {"version": __version__, "store": location, "store_exists": store_exists(location)}
        )


class ExperimentsHandler(MlopsHandler):
    """``GET experiments``: the names of the experiments in the store."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        store = await self.store()
        names = [] if store is None else await self.call(store.experiments)
        self.write_json({"experiments": names})


class RunsHandler(MlopsHandler):
    """``GET runs?experiment=&filter=&order_by=&limit=&offset=``: one page of runs and the total."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        filter_text = self.get_argument("filter", "") or None
        order_by = self.get_argument("order_by", "") or None
        experiment = self.get_argument("experiment", "") or None
        limit = self.int_argument("limit", 50, 1, self.mlops.max_page_size)
        offset = self.int_argument("offset", 0, 0, 2**62)
        self._check_expression(filter_text, "filter")
        self._check_expression(order_by, "order_by")
        store = await self.store()
        page = await self.call(
            payloads.runs_page,
            store,
            experiment=experiment,
            filter=filter_text,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )
        page["store"] = self.location()
        self.write_json(page)

    @staticmethod
    def _check_expression(text: str | None, parameter: str) -> None:
        from ..store.filter import parse_filter, parse_order_by

        try:
            (parse_filter if parameter == "filter" else parse_order_by)(text or "")
        except FilterSyntaxError as exc:
            raise api_error(exc, parameter=parameter) from None


class RunHandler(MlopsHandler):
    """``GET``/``PATCH``/``DELETE runs/{id}``. PATCH takes ``name``, ``note`` and ``tags`` (which
    replaces the run's tags); a running run is not deleted."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        store = await self.required_store()
        self.write_json(await self.call(payloads.run_detail, store, run_id))

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        try:
            changes = payloads.parse_patch(self.json_body())
        except MlopsError as exc:
            raise api_error(exc) from None
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        await self.call(store.update_run, run.id, **changes)
        self.write_json(await self.call(payloads.run_detail, store, run.id))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        if run.status == "running":
            raise api_error(
                RunStillRunning(
                    f"run {run.id} is still running; wait for it to end (or stop its kernel) before deleting it"
                )
            )
        await self.call(store.delete_run, run.id)
        self.set_status(204)
        self.finish()


class MetricHandler(MlopsHandler):
    """``GET runs/{id}/metrics/{key}?max_points=N``: the history, downsampled to N points."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        max_points = self.int_argument(
            "max_points", self.mlops.default_max_points, 10, self.mlops.max_points_limit
        )
        store = await self.required_store()
        self.write_json(await self.call(payloads.metric_series, store, run_id, key, max_points))


class SnapshotHandler(MlopsHandler):
    """``GET runs/{id}/snapshot``: the notebook as it was when the run was tracked."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        store = await self.required_store()
        run_id, data = await self.call(payloads.snapshot_bytes, store, run_id)
        self.set_header("Content-Disposition", f'inline; filename="run-{run_id}.ipynb"')
        self.finish(data, set_content_type="application/x-ipynb+json")


class ArtifactsHandler(MlopsHandler):
    """``GET runs/{id}/artifacts``: name, size and digest of each artifact."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        artifacts = await self.call(store.artifacts, run.id)
        self.write_json({"artifacts": [a.__dict__ for a in artifacts]})


class ArtifactHandler(MlopsHandler):
    """``GET runs/{id}/artifacts/{name}``: the artifact, always as a download."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str, name: str) -> None:
        try:
            payloads.check_artifact_name(name)
        except MlopsError as exc:
            raise api_error(exc, parameter="name") from None
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        found = await self.call(open_artifact, store, run.id, name)
        if found is None:
            raise ApiError(
                404,
                "artifact_not_found",
                f"run {run.id} has no artifact named {name!r}; list them with GET runs/{run.id}/artifacts",
            )
        artifact, reader = found
        guessed = mimetypes.guess_type(name)[0]
        filename = posixpath.basename(name.replace("\\", "/")) or "artifact"
        self.set_header(
            "Content-Disposition", f"attachment; filename*=UTF-8''{urllib.parse.quote(filename)}"
        )
        self.set_header("X-Content-Type-Options", "nosniff")
        content_type = guessed if guessed in SAFE_ARTIFACT_TYPES else "application/octet-stream"
        try:
            await send_stream(self, reader, artifact.size, content_type)  # piece by piece
        except MlopsError as exc:
            raise api_error(exc) from None


class RerunHandler(MlopsHandler):
    """``POST runs/{id}/rerun`` ``{"params": {...}}``: start a re-run in the background."""

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        try:
            params = payloads.parse_rerun(self.json_body())
        except MlopsError as exc:
            raise api_error(exc, parameter="params") from None
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        if not run.notebook_path:
            raise ApiError(
                400,
                "not_rerunnable",
                f"run {run.id} was not made from a notebook, so there is nothing to re-run",
            )
        try:
            check_notebook_inside(self.root_dir, run.notebook_path)
        except MlopsError as exc:
            raise api_error(exc) from None
        try:
            from ..runner import rerun
        except ImportError as exc:
            raise ApiError(
                501,
                "rerun_unavailable",
                f"re-running needs jupyter_mlops.runner, which cannot be imported here: {exc}",
            ) from None
        new_id = await self.call(rerun, run.id, params, store=store.location, background=True)
        self.write_json({"run_id": new_id}, status=202)


class CompareHandler(MlopsHandler):
    """``GET compare?ids=A,B,...``: params and metrics side by side, and a cell diff of two."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        ids = [part.strip() for part in self.get_argument("ids", "").split(",") if part.strip()]
        if len(ids) > self.mlops.max_compare:
            raise ApiError(
                400,
                "invalid_input",
                f"compare at most {self.mlops.max_compare} runs at once, got {len(ids)}",
                parameter="ids",
            )
        if len(set(ids)) < 2:
            raise ApiError(
                400,
                "invalid_input",
                "name two or more different runs to compare: ?ids=RUN_A,RUN_B",
                parameter="ids",
            )
        store = await self.required_store()
        self.write_json(await self.call(compare_runs, store, ids))


class UnknownRouteHandler(MlopsHandler):
    """Any other path under ``mlops/api/``: a JSON 404 naming the route."""

    def _refuse(self, *_: Any) -> None:
        raise ApiError(
            404,
            "no_such_route",
            f"{self.request.method} {self.request.path} is not a route of the jupyter-mlops API; "
            "see GET mlops/api/info",
        )

    @web.authenticated
    def get(self, *args: Any) -> None:
        self._refuse()

    post = patch = put = delete = get


RUN = r"(?P<run_id>[^/]+)"


def routes() -> list[tuple[str, type[MlopsHandler]]]:
    prefix = "mlops/api"
    return [
        (f"{prefix}/info", InfoHandler),
        (f"{prefix}/experiments", ExperimentsHandler),
        (f"{prefix}/runs", RunsHandler),
        (f"{prefix}/runs/{RUN}", RunHandler),
        (f"{prefix}/runs/{RUN}/metrics/(?P<key>.+)", MetricHandler),
        (f"{prefix}/runs/{RUN}/snapshot", SnapshotHandler),
        (f"{prefix}/runs/{RUN}/artifacts", ArtifactsHandler),
        (f"{prefix}/runs/{RUN}/artifacts/(?P<name>.+)", ArtifactHandler),
        (f"{prefix}/runs/{RUN}/rerun", RerunHandler),
        (f"{prefix}/compare", CompareHandler),
        (f"{prefix}/(.*)", UnknownRouteHandler),
    ]
