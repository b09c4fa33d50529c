"""Request handlers under ``{base_url}mlops/api/``: thin, over the store and the runner.

Their base (:mod:`.base`) reads the request's directory (``path=``), finds its store, runs the
blocking store calls off the event loop, and turns every error into JSON
``{"error": CODE, "detail": MESSAGE}`` with a fitting status.
"""

from __future__ import annotations

import mimetypes
import posixpath
import urllib.parse
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .._version import __version__
from ..compare.direction import direction_overrides
from ..errors import FilterSyntaxError, MlopsError
from . import payloads
from .base import ApiError, MlopsHandler, _status_of, api_error
from .compare import compare_runs
from .paths import store_exists
from .streaming import open_artifact, send_stream

#: The largest request body read: a PATCH of a note and tags, or a re-run's params.
MAX_BODY_BYTES = 1 << 20

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


#: ``GET runs?count=``: with the exact total (the default), without it, the total alone.
COUNTS = ("1", "0", "only")


class RunsHandler(MlopsHandler):
    """``GET runs?experiment=&filter=&order_by=&limit=&offset=&nested=&parent=&count=``: one
    page of runs (each with its number of ``children``), the total and ``more`` (runs follow
    the page). ``nested=1``: top-level runs only; ``parent=ID``: the children of run ID.
    ``count=0``: ``total`` is null unless free (the sidebar shows the rows, then asks
    ``count=only``: the total alone)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        filter_text = self.get_argument("filter", "") or None
        order_by = self.get_argument("order_by", "") or None
        experiment = self.get_argument("experiment", "") or None
        limit = self.int_argument("limit", 50, 1, self.mlops.max_page_size)
        offset = self.int_argument("offset", 0, 0, 2**62)
        top_level = self.get_argument("nested", "") in ("1", "true")
        parent = self.get_argument("parent", "") or None
        count = self.get_argument("count", "") or "1"
        if count not in COUNTS:
            raise ApiError(400, "invalid_input", f"count must be one of {', '.join(COUNTS)}, got {count[:40]!r}",
                           parameter="count")
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
            top_level=top_level,
            parent=parent,
            count=count,
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
    """``GET``/``PATCH``/``DELETE runs/{id}`` (whole ids only). PATCH takes ``name``, ``note``
    and ``tags`` (which replaces the run's tags); DELETE answers ``{"deleted": ID, "children":
    N}`` (child runs go with their parent) and refuses a running run with 409."""

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
        await self.call(store.update_run, run_id, **changes)
        self.write_json(await self.call(payloads.run_detail, store, run_id))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        store = await self.required_store()
        force = self.get_argument("force", "") in ("1", "true")
        children = await self.call(store.delete_run, run_id, refuse_running=True, force=force)
        self.write_json({"deleted": run_id, "children": children})


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
    """``GET runs/{id}/rerun[?params=JSON]``: what a re-run of the run starts from (each
    param's value, kind and choices, the run's name, whether it can be re-run and why not)
    and the ``suggested_name`` of a re-run with those changed params; ``POST`` ``{"params":
    {...}, "name": ...}``: start a re-run in the background (no name: named from the changes). Both ask :func:`~..runner.reruns.rerun_start`,
    as the CLI and the widgets do."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        changes_text = self.get_argument("params", "")
        try:
            changes = payloads.parse_changes(changes_text) if changes_text else {}
        except MlopsError as exc:
            raise api_error(exc, parameter="params") from None
        reruns = _reruns()
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        start = await self.call(reruns.rerun_start, store, run, root=self.root_dir)
        reply = start.to_json()
        reply["suggested_name"] = start.suggested_name(changes)
        if start.problem is not None:
            reply["error"] = _status_of(start.problem)[1]
        self.write_json(reply)

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        try:
            params, name = payloads.parse_rerun(self.json_body())
        except MlopsError as exc:
            raise api_error(exc, parameter="params") from None
        reruns = _reruns()
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        new_id = await self.call(
            reruns.rerun, run.id, params, store=store.location, background=True, root=self.root_dir,
            name=name,
        )
        self.write_json({"run_id": new_id}, status=202)


def _reruns() -> Any:
    try:
        from ..runner import reruns
    except ImportError as exc:
        raise ApiError(
            501,
            "rerun_unavailable",
            f"re-running needs jupyter_mlops.runner, which cannot be imported here: {exc}",
        ) from None
    return reruns


class CompareHandler(MlopsHandler):
    """``GET compare?ids=A,B,...[&lower=M,...][&higher=M,...]``: params and metrics side by side
    (``lower``/``higher``: metrics whose better direction is not the one their name says), and a
    cell diff of two."""

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
        try:
            overrides = direction_overrides(self._names("higher"), self._names("lower"))
        except ValueError as exc:
            raise ApiError(400, "invalid_input", str(exc), parameter="lower") from None
        store = await self.required_store()
        self.write_json(await self.call(compare_runs, store, ids, overrides))

    def _names(self, parameter: str) -> list[str]:
        return [part.strip() for part in self.get_argument(parameter, "").split(",") if part.strip()]


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
