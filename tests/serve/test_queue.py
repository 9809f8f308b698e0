"""``InProcessQueue``: one run waiting and one running per unit, units side by side, a
failing run failing alone, a busy unit tried again, and a graceful close."""

from __future__ import annotations

import threading
import time

import pytest
from serve_harness import wait_for

from okrsync.serve import queue as queue_module
from okrsync.serve.queue import InProcessQueue, RunRequest, UnitBusy


class Recorder:
    """An ``execute`` that notes what ran, concurrently with what, and can be held."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: list[tuple[str, str]] = []  # (unit, request id)
        self.active: set[str] = set()
        self.overlaps: list[str] = []
        self.most_at_once = 0
        self.release = threading.Event()
        self.fail: set[str] = set()

    def __call__(self, request: RunRequest) -> None:
        with self.lock:
            if request.unit in self.active:
                self.overlaps.append(request.unit)
            self.active.add(request.unit)
            self.started.append((request.unit, request.id))
            self.most_at_once = max(self.most_at_once, len(self.active))
        try:
            self.release.wait(10)
            if request.unit in self.fail:
                raise RuntimeError(f"{request.unit} broke")
        finally:
            with self.lock:
                self.active.discard(request.unit)


def test_requests_for_a_waiting_unit_join_its_run() -> None:
    recorder = Recorder()
    recorder.release.set()
    runs = InProcessQueue(recorder, workers=2)
    first = runs.submit("a.yaml", "webhook jira", delay=0.3)
    second = runs.submit("a.yaml", "webhook jira", delay=0.3)
    assert second is first and first.reasons == ["webhook jira", "webhook jira"]
    wait_for(lambda: recorder.started)
    time.sleep(0.2)
    assert recorder.started == [("a.yaml", first.id)]
    assert runs.close(5)


def test_a_debounced_run_waits_for_its_window_unless_asked_for_now() -> None:
    recorder = Recorder()
    recorder.release.set()
    runs = InProcessQueue(recorder)
    runs.submit("a.yaml", "webhook jira", delay=30)
    time.sleep(0.2)
    assert recorder.started == [] and [r.unit for r in runs.waiting()] == ["a.yaml"]
    runs.submit("a.yaml", "api")  # "sync now" brings the waiting run forward
    wait_for(lambda: recorder.started)
    assert runs.close(5)


def test_one_unit_never_overlaps_and_different_units_run_side_by_side() -> None:
    recorder = Recorder()
    runs = InProcessQueue(recorder, workers=3)
    first = runs.submit("a.yaml", "api")
    wait_for(lambda: recorder.active == {"a.yaml"})
    again = runs.submit("a.yaml", "api")
    assert again is not first  # a new run, waiting for the running one
    runs.submit("b.yaml", "api")
    wait_for(lambda: recorder.active == {"a.yaml", "b.yaml"})
    assert [r.unit for r in runs.running()] == ["a.yaml", "b.yaml"]
    assert [r.id for r in runs.waiting()] == [again.id]
    recorder.release.set()
    wait_for(lambda: len(recorder.started) == 3)
    assert recorder.overlaps == [] and recorder.most_at_once == 2
    assert runs.close(5)


def test_a_failing_run_does_not_stop_the_worker_or_other_units() -> None:
    recorder = Recorder()
    recorder.fail = {"bad.yaml"}
    recorder.release.set()
    runs = InProcessQueue(recorder, workers=1)
    runs.submit("bad.yaml", "api")
    runs.submit("good.yaml", "api")
    wait_for(lambda: len(recorder.started) == 2)
    runs.submit("bad.yaml", "api")
    wait_for(lambda: len(recorder.started) == 3)
    assert [unit for unit, _id in recorder.started] == ["bad.yaml", "good.yaml", "bad.yaml"]
    assert runs.close(5)


def test_a_busy_unit_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_module, "BUSY_RETRY", 0.1)
    attempts: list[str] = []

    def busy_once(request: RunRequest) -> None:
        attempts.append(request.unit)
        if len(attempts) == 1:
            raise UnitBusy(request.unit)

    runs = InProcessQueue(busy_once)
    runs.submit("a.yaml", "schedule")
    wait_for(lambda: len(attempts) == 2)
    assert runs.close(5)


def test_close_waits_for_running_runs_and_starts_no_more() -> None:
    recorder = Recorder()
    runs = InProcessQueue(recorder, workers=1)
    runs.submit("a.yaml", "api")
    wait_for(lambda: recorder.active)
    runs.submit("b.yaml", "api")
    assert runs.close(0.2) is False  # still running when the grace ended
    recorder.release.set()
    assert runs.close(5) is True
    assert [unit for unit, _id in recorder.started] == ["a.yaml"]
