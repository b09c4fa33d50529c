"""PostgreSQL as the store: connection faults, server restarts and many writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import StoreUnavailable
from jupyter_mlops.store.sqlstore import Store


def test_an_unreachable_server_is_a_clear_error_naming_the_host(postgres_server) -> None:  # type: ignore[no-untyped-def]
    closed = postgres_server.url().replace(f":{postgres_server.port}/", ":9/")
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:9.*Check that it is running"):
        Store(closed)


def test_a_wrong_password_is_a_clear_error_and_writes_nothing(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database()
    wrong = url.replace(f":{postgres_server.password}@", ":not-the-password@")
    with pytest.raises(StoreUnavailable, match=rf"127\.0\.0\.1:{postgres_server.port}.*password"):
        Store(wrong)
    import psycopg

    database = url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 port={postgres_server.port} user=postgres "
                         f"password={postgres_server.password} dbname={database}") as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
        assert tables.fetchone() == (0,)


LOGGER = textwrap.dedent(
    """
    import sys, time, warnings, jupyter_mlops as mlops
    warnings.simplefilter("ignore")
    url, seconds = sys.argv[1], float(sys.argv[2])
    with mlops.start_run(name="through-restart", store=url) as run:
        print(run.id, flush=True)
        step, stop = 0, time.time() + seconds
        while time.time() < stop:
            mlops.log_metric("t", time.time(), step=step)
            step += 1
            time.sleep(0.002)
        while True:  # the end must reach the server even if it is still coming back
            try:
                run.flush()
                break
            except Exception:
                time.sleep(0.2)
    print(step, flush=True)
    """
)


def test_the_writer_reconnects_after_a_server_restart_and_loses_no_point(postgres_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database()
    mlops.get_store(url)  # schema in place before the writer starts
    script = tmp_path / "logger.py"
    script.write_text(LOGGER)
    proc = subprocess.Popen([sys.executable, str(script), url, "6"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    time.sleep(2)
    postgres_server.restart(down_for=1.0)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    logged = int(out.strip().splitlines()[-1])
    run = Store(url).get_run(run_id)
    history = run.metric_history("t")
    assert list(history.steps) == list(range(logged))
    assert run.status == "finished"


def test_sixteen_processes_write_concurrently_and_every_point_is_there(postgres_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.writer import WRITER

    url = postgres_server.create_database()
    mlops.get_store(url)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), url, str(i), "5000"], stderr=subprocess.PIPE,
                              text=True) for i in range(16)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 16, errors
    runs = Store(url).search_runs(experiment="load", limit=None)
    assert len(runs) == 16
    for run in runs:
        assert list(run.metric_history("value").steps) == list(range(5000))
