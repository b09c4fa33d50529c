"""REST route of the reproducibility check under ``{base_url}mlops/api/``.

``POST runs/{id}/reproduce`` ``{"tolerance": REL}`` (optional) starts a reproduction in the
background and answers 202 ``{"run_id": RUN, "reproduction_id": CHILD, "verdict": "running"}``
at once; ``GET runs/{id}/reproduce`` gives the newest reproduction's state: ``verdict``
``running`` while it executes, then ``reproduced`` / ``differs`` / ``failed`` with the metrics
that differ and the likely causes (``{"verdict": null}`` when never reproduced). Thin: both ask
:mod:`..runner.reproduce`, as ``jupyter mlops reproduce`` does.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidInput, MlopsError
from .handlers import RUN, ApiError, MlopsHandler, api_error


def _reproduce_module() -> Any:
    try:
        from ..runner import reproduction as reproduce
    except ImportError as exc:
        raise ApiError(501, "reproduce_unavailable",
                       f"reproducing needs jupyter_mlops.runner, which cannot be imported here: {exc}") from None
    return reproduce


def parse_reproduce(body: Any) -> Any:
    """The tolerance a ``POST runs/{id}/reproduce`` body asks for (the default when none)."""
    from ..compare.tolerance import DEFAULT_TOLERANCE, parse_tolerance

    if body is None:
        return DEFAULT_TOLERANCE
    if not isinstance(body, dict) or set(body) - {"tolerance"}:
        raise InvalidInput('the body is {"tolerance": REL} (optional), e.g. {"tolerance": 1e-4}')
    value = body.get("tolerance")
    if value is None:
        return DEFAULT_TOLERANCE
    if not isinstance(value, (int, float, str)) or isinstance(value, bool):
        raise InvalidInput(f"tolerance is a number or text such as '0.5%', not {type(value).__name__}")
    return parse_tolerance(value)


class ReproduceHandler(MlopsHandler):
    """``GET`` the newest reproduction of a run; ``POST`` start one in the background."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        reproduce = _reproduce_module()
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        result = await self.call(reproduce.latest_reproduction, store, run)
        self.write_json(result.to_json() if result is not None else {"run_id": run.id, "verdict": None})

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        try:
            tolerance = parse_reproduce(self.json_body())
        except MlopsError as exc:
            raise api_error(exc, parameter="tolerance") from None
        reproduce = _reproduce_module()
        store = await self.required_store()
        run = await self.call(store.get_run, run_id)
        result = await self.call(
            reproduce.reproduce, run, tolerance=tolerance, store=store, background=True, root=self.root_dir
        )
        self.write_json(result.to_json(), status=202)


def reproduce_routes(prefix: str) -> list[tuple[str, type[MlopsHandler]]]:
    return [(f"{prefix}/runs/{RUN}/reproduce", ReproduceHandler)]
