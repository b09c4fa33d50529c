"""Live refresh: running runs update while they run; with nothing running nothing happens."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.widgets import RunBrowser
from jupyter_mlops.widgets.live import LiveRefresher

INTERVAL = 0.05


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.01)


def test_the_refresher_repeats_while_told_runs_are_running_then_stops() -> None:
    remaining = [3]

    def refresh() -> bool:
        remaining[0] -= 1
        return remaining[0] > 0

    live = LiveRefresher(refresh, interval=INTERVAL)
    assert not live.active and live.ticks == 0
    live.watch()
    wait_for(lambda: not live.active, "the refresher to stop once nothing runs")
    assert live.ticks == 3
    live.watch()
    wait_for(lambda: live.ticks == 4 and not live.active, "one more refresh after a new watch")


def test_a_failing_refresh_is_reported_and_stops_the_refresher() -> None:
    errors: list[Exception] = []
    live = LiveRefresher(lambda: 1 / 0, interval=INTERVAL, on_error=errors.append)
    live.watch()
    wait_for(lambda: not live.active, "the refresher to stop after an error")
    assert isinstance(errors[0], ZeroDivisionError) and live.ticks == 1


def test_stopping_ends_the_thread_and_no_watch_starts_it_again() -> None:
    release = threading.Event()
    live = LiveRefresher(lambda: not release.is_set(), interval=INTERVAL)
    live.watch()
    wait_for(lambda: live.ticks >= 1, "a first refresh")
    live.stop()
    assert not live.active
    ticks = live.ticks
    live.watch()
    assert not live.active and live.ticks == ticks


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive number of seconds"):
        LiveRefresher(lambda: False, interval=0)


def test_nothing_refreshes_when_no_run_is_running(make_run, store_dir) -> None:
    make_run("done")
    browser = RunBrowser(store=store_dir, refresh_interval=INTERVAL)
    browser.open_run(browser.page.runs[0].id)
    assert not browser.running and not browser.live.active and browser.live.ticks == 0


def test_a_running_run_updates_live_and_refreshing_stops_when_it_ends(make_run, store_dir) -> None:
    make_run("old")
    run = mlops.start_run(name="training", params={"lr": 0.1}, store=os.fspath(store_dir), env={})
    run.log_metric("loss", 1.0, step=0)
    run.flush()
    browser = RunBrowser(store=store_dir, refresh_interval=INTERVAL)
    assert browser.table.row_texts()[0][1:4] == ["training", "default", "running"]
    assert browser.live.active
    browser.open_run(run.id)
    browser.detail.tabs.selected_index = 1
    assert [list(t.y) for t in browser.detail.figure.data] == [[1.0]]

    run.log_metric("loss", 0.5, step=1)
    run.flush()
    wait_for(lambda: browser.table.row_texts()[0][-1] == "0.5", "the table to show the new loss")
    wait_for(lambda: list(browser.detail.figure.data[0].y) == [1.0, 0.5], "the chart to grow")
    assert browser.live.active

    mlops.end_run(run=run)
    wait_for(lambda: not browser.live.active, "live refresh to stop once the run ended")
    assert browser.table.row_texts()[0][3] == "finished"
    assert ">finished<" in browser.detail.facts.value
    ticks = browser.live.ticks
    browser.refresh()
    assert not browser.live.active and browser.live.ticks == ticks


def test_closing_the_browser_stops_live_refresh(store_dir) -> None:
    run = mlops.start_run(name="long", store=os.fspath(store_dir), env={})
    browser = RunBrowser(store=store_dir, refresh_interval=INTERVAL)
    assert browser.live.active
    browser.close()
    assert not browser.live.active
    mlops.end_run(run=run)


def test_a_failed_live_refresh_is_shown_and_refreshing_stops(store_dir) -> None:
    run = mlops.start_run(name="doomed", store=os.fspath(store_dir), env={})
    browser = RunBrowser(store=store_dir, refresh_interval=INTERVAL)
    browser.open_run(run.id)
    browser.store.delete_run(run.id)
    wait_for(lambda: not browser.live.active, "live refresh to stop")
    assert "live refresh stopped: no run with id" in browser.status.value
    mlops.end_run(run=run)
