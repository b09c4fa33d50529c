"""Authentication, XSRF, the server-root guard and artifact names, as a browser would meet them."""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.utils import url_path_join

from jupyter_mlops.store import open_store
from tests.support.server import body, track_run

ROUTES = [
    ("GET", "info"),
    ("GET", "experiments"),
    ("GET", "runs"),
    ("GET", "runs/{id}"),
    ("GET", "runs/{id}/metrics/loss"),
    ("GET", "runs/{id}/snapshot"),
    ("GET", "runs/{id}/artifacts"),
    ("GET", "runs/{id}/artifacts/a.txt"),
    ("PATCH", "runs/{id}"),
    ("DELETE", "runs/{id}"),
    ("POST", "runs/{id}/rerun"),
    ("GET", "runs/{id}/rerun"),
    ("GET", "compare?ids={id},{id}"),
]


def url(base_url: str, route: str) -> str:
    return url_path_join(base_url, "mlops/api", route)


@pytest.mark.parametrize(("method", "route"), ROUTES)
async def test_every_route_refuses_requests_without_the_token(
    http_server_client: Any, jp_base_url: str, track: Any, root_store: Path, method: str, route: str
) -> None:
    run_id = track("secret", metrics={"loss": [1.0]})
    body_text = "{}" if method in ("PATCH", "POST") else None
    response = await http_server_client.fetch(
        url(jp_base_url, route.format(id=run_id)), method=method, body=body_text, raise_error=False
    )
    assert response.code == 403
    assert b"secret" not in response.body
    assert open_store(str(root_store)).get_run(run_id).name == "secret"  # nothing was changed


async def test_a_wrong_token_is_refused(
    http_server_client: Any, jp_base_url: str, root_store: Path
) -> None:
    response = await http_server_client.fetch(
        url(jp_base_url, "runs"),
        headers={"Authorization": "token not-the-token"},
        raise_error=False,
    )
    assert response.code == 403


async def _login(http_server_client: Any, jp_base_url: str, token: str) -> tuple[str, str]:
    """Log in with the token as a browser does; returns (cookie header, xsrf value)."""
    page = await http_server_client.fetch(url_path_join(jp_base_url, "login"))
    xsrf = re.search(r"_xsrf=([^;]+)", page.headers["Set-Cookie"]).group(1)  # type: ignore[union-attr]
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "login"),
        method="POST",
        body=urllib.parse.urlencode({"password": token, "_xsrf": xsrf}),
        headers={"Cookie": f"_xsrf={xsrf}"},
        follow_redirects=False,
        raise_error=False,
    )
    assert response.code == 302, response.body
    cookies = [f"_xsrf={xsrf}"]
    for header in response.headers.get_list("Set-Cookie"):
        cookies.append(header.split(";", 1)[0])
    return "; ".join(cookies), xsrf


async def test_cookie_sessions_need_the_xsrf_token_to_change_anything(
    http_server_client: Any, jp_base_url: str, jp_serverapp: Any, track: Any, root_store: Path
) -> None:
    run_id = track("keep me")
    cookie, xsrf = await _login(
        http_server_client, jp_base_url, jp_serverapp.identity_provider.token
    )
    read = await http_server_client.fetch(
        url(jp_base_url, f"runs/{run_id}"), headers={"Cookie": cookie}
    )
    assert body(read)["name"] == "keep me"
    for method, route, payload in [
        ("PATCH", f"runs/{run_id}", '{"name": "changed"}'),
        ("DELETE", f"runs/{run_id}", None),
        ("POST", f"runs/{run_id}/rerun", "{}"),
    ]:
        refused = await http_server_client.fetch(
            url(jp_base_url, route),
            method=method,
            body=payload,
            headers={"Cookie": cookie},
            raise_error=False,
        )
        assert refused.code == 403, (method, refused.body)
    assert open_store(str(root_store)).get_run(run_id).name == "keep me"
    accepted = await http_server_client.fetch(
        url(jp_base_url, f"runs/{run_id}"),
        method="PATCH",
        body='{"name": "changed"}',
        headers={"Cookie": cookie, "X-XSRFToken": xsrf},
    )
    assert body(accepted)["name"] == "changed"


@pytest.mark.parametrize("path", ["..", "../..", "sub/../../elsewhere", "/../.."])
async def test_path_outside_the_root_is_refused(api: Any, jp_root_dir: Path, path: str) -> None:
    (jp_root_dir / "sub").mkdir()
    response = await api("runs", params={"path": path}, raise_error=False)
    assert response.code == 403
    reply = body(response)
    assert (reply["error"], reply["parameter"]) == ("path_outside_root", "path")


async def test_a_symlink_out_of_the_root_is_refused(
    api: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / ".mlops").mkdir(parents=True)
    track_run(outside / ".mlops", "not yours")
    (jp_root_dir / "link").symlink_to(outside, target_is_directory=True)
    response = await api("runs", params={"path": "link"}, raise_error=False)
    assert response.code == 403
    assert b"not yours" not in response.body


async def test_absolute_looking_paths_stay_inside_the_root(api: Any, jp_root_dir: Path) -> None:
    response = await api("runs", params={"path": "/etc"}, raise_error=False)
    assert response.code == 404
    assert body(response)["error"] == "path_not_found"


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd", "/etc/passwd", "..", "a/../../b", "C:/x", "..\\..\\secret"]
)
async def test_artifact_names_never_leave_the_store(
    http_server_client: Any,
    jp_base_url: str,
    jp_auth_header: dict[str, str],
    track: Any,
    root_store: Path,
    tmp_path: Path,
    name: str,
) -> None:
    run_id = track("with artifact")
    secret = tmp_path / "secret"
    secret.write_text("TOP SECRET")
    open_store(str(root_store)).log_artifact_bytes(run_id, "ok.txt", b"fine")
    route = f"runs/{run_id}/artifacts/" + urllib.parse.quote(name, safe="")
    response = await http_server_client.fetch(
        url(jp_base_url, route), headers=jp_auth_header, raise_error=False
    )
    assert response.code == 400
    assert body(response)["error"] == "invalid_input"
    assert b"TOP SECRET" not in response.body and b"root:" not in response.body


async def test_html_in_names_and_notes_is_stored_and_sent_as_text(api: Any, track: Any) -> None:
    run_id = track("<img src=x onerror=alert(1)>")
    note = "<script>alert('note')</script>"
    await api("runs", run_id, method="PATCH", body=f'{{"note": "{note}"}}')
    run = body(await api("runs", run_id))
    assert run["name"] == "<img src=x onerror=alert(1)>"
    assert run["note"] == note
    response = await api("runs", run_id)
    assert response.headers["Content-Type"].startswith("application/json")


async def test_no_route_evaluates_request_data(api: Any, track: Any, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    track("one", params={"x": 1})
    payload = f"__import__('pathlib').Path({os.fspath(marker)!r}).touch()"
    for query in ({"filter": payload}, {"order_by": payload}, {"experiment": payload}):
        await api("runs", params=query, raise_error=False)
    assert not marker.exists()
