"""Every read route of the REST API, through a real Jupyter server with token auth."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops
from jupyter_mlops.store import open_store
from jupyter_mlops.store.entities import ExecutedCell
from tests.support.server import body, notebook_bytes, track_run

REPO = Path(__file__).resolve().parents[2]


async def fails(call: Any, *parts: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = await call(*parts, raise_error=False, **kwargs)
    assert response.code >= 400, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    return response.code, body(response)


async def test_info_gives_the_version_and_the_store(api: Any, root_store: Path) -> None:
    info = body(await api("info"))
    assert info == {
        "version": jupyter_mlops.__version__,
        "store": str(root_store),
        "store_exists": True,
    }


def test_the_labextension_has_the_python_package_version() -> None:
    package = json.loads((REPO / "labextension" / "package.json").read_text())
    version_ts = (REPO / "labextension" / "src" / "version.ts").read_text()
    assert package["version"] == jupyter_mlops.__version__
    assert f"PACKAGE_VERSION = '{jupyter_mlops.__version__}'" in version_ts


async def test_runs_lists_newest_first_with_total(api: Any, track: Any) -> None:
    ids = [
        track(f"run-{i}", params={"lr": 0.1 * (i + 1)}, metrics={"acc": [0.5, 0.6 + i / 10]})
        for i in range(3)
    ]
    page = body(await api("runs"))
    assert [run["id"] for run in page["runs"]] == ids[::-1]
    assert page["total"] == 3
    first = page["runs"][0]
    assert first["name"] == "run-2"
    assert first["status"] == "finished"
    assert first["params"] == {"lr": pytest.approx(0.3)}
    assert first["metrics"] == {"acc": pytest.approx(0.8)}
    assert "env" not in first  # the list stays light; GET runs/{id} has it


async def test_runs_pages_sorts_and_filters(api: Any, track: Any) -> None:
    for i in range(5):
        track(
            f"r{i}",
            experiment="even" if i % 2 == 0 else "odd",
            params={"i": i},
            metrics={"acc": [i / 10]},
        )
    page = body(
        await api("runs", params={"order_by": "metrics.acc desc", "limit": "2", "offset": "1"})
    )
    assert [run["name"] for run in page["runs"]] == ["r3", "r2"]
    assert page["total"] == 5
    page = body(
        await api(
            "runs", params={"filter": "params.i >= 2 and metrics.acc < 0.4", "order_by": "name"}
        )
    )
    assert [run["name"] for run in page["runs"]] == ["r2", "r3"]
    assert page["total"] == 2
    page = body(await api("runs", params={"experiment": "odd", "order_by": "params.i"}))
    assert [run["name"] for run in page["runs"]] == ["r1", "r3"]
    assert body(await api("experiments")) == {"experiments": ["even", "odd"]}


async def test_a_bad_filter_is_a_400_naming_the_position(api: Any, track: Any) -> None:
    track("one")
    code, reply = await fails(api, "runs", params={"filter": "metrics.acc >> 0.9"})
    assert code == 400
    assert reply["error"] == "invalid_filter"
    assert reply["parameter"] == "filter"
    assert reply["position"] == 13
    assert "position 13" in reply["detail"]
    code, reply = await fails(api, "runs", params={"order_by": "metrics.acc sideways"})
    assert (code, reply["error"], reply["parameter"]) == (400, "invalid_filter", "order_by")


@pytest.mark.parametrize(
    "query", [{"limit": "many"}, {"limit": "0"}, {"limit": "100000"}, {"offset": "-1"}]
)
async def test_bad_paging_is_a_400(api: Any, root_store: Path, query: dict[str, str]) -> None:
    code, reply = await fails(api, "runs", params=query)
    assert code == 400
    assert reply["error"] == "invalid_input"
    assert reply["parameter"] in query


async def test_run_detail_has_everything_the_view_shows(
    api: Any, root_store: Path, tmp_path: Path
) -> None:
    run_id = track_run(
        root_store,
        "detailed",
        params={"lr": 0.1, "layers": 3, "opt": "adam"},
        metrics={"loss": [1.0, 0.5], "weird": [float("nan"), float("inf")]},
        tags={"stage": "dev"},
    )
    store = open_store(str(root_store))
    store.set_snapshot(run_id, notebook_bytes("x = 1"))
    store.set_execution_record(
        run_id,
        [
            ExecutedCell(
                position=0,
                execution_count=2,
                source_hash="a1",
                source="y = 2",
                out_of_order=True,
                stale=False,
            ),
            ExecutedCell(
                position=1,
                execution_count=1,
                source_hash="b2",
                source="x = 1",
                out_of_order=False,
                stale=True,
            ),
        ],
    )
    artifact = tmp_path / "model.txt"
    artifact.write_text("weights")
    store.log_artifact(run_id, artifact)

    run = body(await api("runs", run_id))
    assert run["id"] == run_id
    assert run["params"] == {"lr": 0.1, "layers": 3, "opt": "adam"}
    assert isinstance(run["params"]["layers"], int)
    assert run["metrics"] == {"loss": 0.5, "weird": "Infinity"}
    assert run["metric_keys"] == ["loss", "weird"]
    assert run["tags"] == {"stage": "dev"}
    assert run["has_snapshot"] is True
    assert [a["name"] for a in run["artifacts"]] == ["model.txt"]
    assert run["artifacts"][0]["size"] == len("weights")
    assert [(c["stale"], c["out_of_order"]) for c in run["execution_record"]] == [
        (False, True),
        (True, False),
    ]
    assert run["env"]["python"]


async def test_metric_history_is_downsampled_on_the_server(api: Any, root_store: Path) -> None:
    values = [math.sin(i / 50) for i in range(10_000)]
    values[5000] = 40.0  # a spike must survive downsampling
    run_id = track_run(root_store, "long", metrics={"loss": values})
    series = body(await api("runs", run_id, "metrics", "loss", params={"max_points": "200"}))
    assert series["total_points"] == 10_000
    assert series["downsampled"] is True
    assert 100 <= len(series["steps"]) <= 200
    assert len(series["values"]) == len(series["steps"]) == len(series["timestamps"])
    assert series["steps"][0] == 0 and series["steps"][-1] == 9_999
    assert max(series["values"]) == 40.0
    whole = body(await api("runs", run_id, "metrics", "loss", params={"max_points": "20000"}))
    assert whole["downsampled"] is False and len(whole["steps"]) == 10_000


async def test_non_finite_metric_values_are_sent_as_text(api: Any, root_store: Path) -> None:
    run_id = track_run(
        root_store, "nan", metrics={"system/odd": [1.0, float("nan"), float("-inf"), float("inf")]}
    )
    series = body(await api("runs", run_id, "metrics", "system/odd"))
    assert series["key"] == "system/odd"
    assert series["values"] == [1.0, "NaN", "-Infinity", "Infinity"]


async def test_unknown_metric_is_a_404(api: Any, track: Any) -> None:
    run_id = track("one", metrics={"loss": [1.0]})
    code, reply = await fails(api, "runs", run_id, "metrics", "accuracy")
    assert (code, reply["error"]) == (404, "metric_not_found")
    assert "loss" in reply["detail"]
    code, reply = await fails(api, "runs", run_id, "metrics", "loss", params={"max_points": "1"})
    assert (code, reply["error"]) == (400, "invalid_input")


async def test_snapshot_is_the_stored_notebook(api: Any, root_store: Path, track: Any) -> None:
    with_snapshot, without = track("a"), track("b")
    data = notebook_bytes("print('hello')", "x = 2")
    open_store(str(root_store)).set_snapshot(with_snapshot, data)
    response = await api("runs", with_snapshot, "snapshot")
    assert response.body == data
    assert "".join(json.loads(response.body)["cells"][0]["source"]) == "print('hello')"
    assert response.headers["Content-Type"] == "application/x-ipynb+json"
    code, reply = await fails(api, "runs", without, "snapshot")
    assert (code, reply["error"]) == (404, "snapshot_not_found")


async def test_artifacts_are_listed_and_downloaded(
    api: Any, root_store: Path, track: Any, tmp_path: Path
) -> None:
    run_id = track("with files")
    store = open_store(str(root_store))
    store.log_artifact_bytes(run_id, "plots/loss.png", b"\x89PNG fake")
    store.log_artifact_bytes(run_id, "report.html", b"<script>alert(1)</script>")
    listed = body(await api("runs", run_id, "artifacts"))["artifacts"]
    assert [(a["name"], a["size"]) for a in listed] == [("plots/loss.png", 9), ("report.html", 25)]
    png = await api("runs", run_id, "artifacts", "plots/loss.png")
    assert png.body == b"\x89PNG fake"
    assert png.headers["Content-Type"] == "image/png"
    assert png.headers["Content-Disposition"] == "attachment; filename*=UTF-8''loss.png"
    html = await api("runs", run_id, "artifacts", "report.html")
    assert html.body == b"<script>alert(1)</script>"
    assert html.headers["Content-Type"] == "application/octet-stream"  # never rendered as a page
    assert html.headers["X-Content-Type-Options"] == "nosniff"
    code, reply = await fails(api, "runs", run_id, "artifacts", "nope.txt")
    assert (code, reply["error"]) == (404, "artifact_not_found")


async def test_compare_shows_differences_and_the_cell_diff(api: Any, root_store: Path) -> None:
    a = track_run(root_store, "a", params={"lr": 0.1, "opt": "adam"}, metrics={"acc": [0.8]})
    b = track_run(
        root_store, "b", params={"lr": 0.2, "opt": "adam", "extra": 1}, metrics={"acc": [0.9]}
    )
    store = open_store(str(root_store))
    store.set_snapshot(a, notebook_bytes("import x", "lr = 0.1\nfit(lr)", "report()"))
    store.set_snapshot(b, notebook_bytes("import x", "lr = 0.2\nfit(lr)", "plot()", "report()"))
    result = body(await api("compare", params={"ids": f"{a},{b}"}))
    assert [run["id"] for run in result["runs"]] == [a, b]
    params = {row["key"]: row for row in result["params"]}
    assert params["lr"] == {"key": "lr", "values": {a: 0.1, b: 0.2}, "differs": True}
    assert params["opt"]["differs"] is False
    assert params["extra"] == {"key": "extra", "values": {b: 1}, "differs": True}
    assert result["metrics"] == [{"key": "acc", "values": {a: 0.8, b: 0.9}, "differs": True,
                                  "direction": "max", "best": [b]}]
    assert result["metric_keys"] == ["acc"]
    diff = result["cell_diff"]
    assert (diff["a"], diff["b"], diff["missing"]) == (a, b, [])
    assert [c["status"] for c in diff["cells"]] == ["unchanged", "changed", "added", "unchanged"]
    changed = diff["cells"][1]
    assert {"op": "-", "text": "lr = 0.1"} in changed["lines"]
    assert {"op": "+", "text": "lr = 0.2"} in changed["lines"]
    assert {"op": " ", "text": "fit(lr)"} in changed["lines"]
    assert diff["cells"][2]["lines"] == [{"op": "+", "text": "plot()"}]


async def test_compare_of_three_runs_has_no_cell_diff_and_says_which_lack_snapshots(
    api: Any, track: Any
) -> None:
    ids = [track(f"r{i}", params={"i": i}) for i in range(3)]
    result = body(await api("compare", params={"ids": ",".join(ids)}))
    assert len(result["runs"]) == 3 and result["cell_diff"] is None
    pair = body(await api("compare", params={"ids": f"{ids[0]},{ids[1]}"}))
    assert pair["cell_diff"]["missing"] == [ids[0], ids[1]]


@pytest.mark.parametrize("ids", ["", "onlyone", "same,same"])
async def test_compare_needs_two_runs(api: Any, root_store: Path, ids: str) -> None:
    code, reply = await fails(api, "compare", params={"ids": ids})
    assert (code, reply["error"], reply["parameter"]) == (400, "invalid_input", "ids")


@pytest.mark.parametrize(
    "route", [(), ("metrics", "loss"), ("snapshot",), ("artifacts",), ("artifacts", "x.txt")]
)
async def test_unknown_run_is_a_404(api: Any, track: Any, route: tuple[str, ...]) -> None:
    track("exists")
    code, reply = await fails(api, "runs", "0000nosuchrun", *route)
    assert (code, reply["error"]) == (404, "run_not_found")
    assert "0000nosuchrun" in reply["detail"]


async def test_compare_with_an_unknown_run_is_a_404(api: Any, track: Any) -> None:
    known = track("exists")
    code, reply = await fails(api, "compare", params={"ids": f"{known},0000nosuchrun"})
    assert (code, reply["error"]) == (404, "run_not_found")


async def test_an_unknown_route_is_a_json_404(api: Any) -> None:
    code, reply = await fails(api, "runz")
    assert (code, reply["error"]) == (404, "no_such_route")
