"""The base of every REST handler: authentication, the request's directory and store, blocking
store calls off the event loop, and every error as JSON ``{"error": CODE, "detail": MESSAGE}``
with a fitting status."""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..errors import (
    AliasNotFound,
    CorruptStore,
    FilterSyntaxError,
    InvalidInput,
    MlopsError,
    ModelNotFound,
    ModelVersionNotFound,
    RunHasRegisteredModels,
    RunNotFound,
    RunStillRunning,
    StoreError,
)
from ..runner.errors import NotebookOutsideRoot, NotRerunnable
from . import payloads
from .paths import (
    PathNotFound,
    PathOutsideRoot,
    open_existing_store,
    resolve_directory,
    store_location,
)

if TYPE_CHECKING:
    from ..store.sqlstore import Store
    from .app import MlopsApp

T = TypeVar("T")

#: The largest request body read: a PATCH of a note and tags, or a re-run's params.
MAX_BODY_BYTES = 1 << 20


class ApiError(web.HTTPError):
    """An error reply: status, a short code and a message saying what to do."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(status, log_message=detail.replace("%", "%%"))
        self.error = error
        self.detail = detail
        self.extra = extra


def _status_of(exc: MlopsError) -> tuple[int, str]:
    if isinstance(exc, FilterSyntaxError):
        return 400, "invalid_filter"
    if isinstance(exc, RunNotFound):
        return 404, "run_not_found"
    if isinstance(exc, payloads.MetricNotFound):
        return 404, "metric_not_found"
    if isinstance(exc, payloads.SnapshotNotFound):
        return 404, "snapshot_not_found"
    if isinstance(exc, (PathOutsideRoot, NotebookOutsideRoot)):
        return 403, "path_outside_root"
    if isinstance(exc, NotRerunnable):
        return 400, "not_rerunnable"
    if isinstance(exc, PathNotFound):
        return 404, "path_not_found"
    if isinstance(exc, RunStillRunning):
        return 409, "run_running"
    if isinstance(exc, ModelNotFound):
        return 404, {AliasNotFound: "alias_not_found", ModelVersionNotFound: "version_not_found"}.get(
            type(exc), "model_not_found")
    if isinstance(exc, RunHasRegisteredModels):
        return 409, "run_has_registered_models"
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
    if isinstance(exc, CorruptStore):  # the sidebar knows store_unavailable; this says why
        extra = {"corrupt": True, "file": exc.path}
    if parameter:
        extra["parameter"] = parameter
    return ApiError(status, code, str(exc), **extra)


_HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
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
        """The request's JSON body (None when empty); at most ``MAX_BODY_BYTES``."""
        body = self.request.body
        if not body:
            return None
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(
                413,
                "body_too_large",
                f"the request body is {len(body)} bytes; this API takes at most {MAX_BODY_BYTES}",
            )
        try:
            return json.loads(body)
        except RecursionError:
            raise ApiError(
                400, "invalid_json", "the request body nests JSON too deeply to be read"
            ) from None
        except ValueError as exc:  # also numbers of more digits than Python converts
            raise ApiError(
                400, "invalid_json", f"the request body is not valid JSON: {str(exc)[:200]}"
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


__all__ = ["ApiError", "MlopsHandler", "RunStillRunning", "api_error"]
