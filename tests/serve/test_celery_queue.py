"""``CeleryQueue`` in this process, over a stand-in for Celery's client: runs are handed
out and ended by the one dispatcher thread, however many units wait on the workers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from serve_harness import wait_for

from okrsync.serve import queue as queue_module
from okrsync.serve.celery_queue import CeleryQueue


class Result:
    """What ``send_task`` gives back: the worker's report arrives through ``then``."""

    def __init__(self, task_id: str) -> None:
        self.id = task_id
        self.state = "PENDING"
        self.result: object = None
        self.callback: Callable[[Result], None] | None = None

    def then(self, callback: Callable[[Result], None]) -> None:
        self.callback = callback

    def forget(self) -> None:
        pass


class Consumer:
    """The backend's result consumer: ``drain_events`` delivers what the test reported."""

    def __init__(self) -> None:
        self.on_message: Callable[[dict[str, Any]], None] | None = None
        self.lock = threading.Lock()
        self.reports: list[tuple[Result, str, object]] = []

    def report(self, result: Result, state: str, value: object = None) -> None:
        with self.lock:
            self.reports.append((result, state, value))

    def drain_events(self, timeout: float) -> None:
        with self.lock:
            reports, self.reports = self.reports, []
        for result, state, value in reports:
            assert self.on_message is not None
            self.on_message({"task_id": result.id, "status": state})
            if state != "STARTED":
                result.state, result.result = state, value
                assert result.callback is not None
                result.callback(result)


class Backend:
    def __init__(self) -> None:
        self.result_consumer = Consumer()

    def remove_pending_result(self, result: Result) -> None:
        pass


class App:
    def __init__(self) -> None:
        self.backend = Backend()
        self.sent: dict[str, Result] = {}
        self.lock = threading.Lock()

    def send_task(self, name: str, *, args: list[Any], task_id: str, retry: bool) -> Result:
        with self.lock:
            result = self.sent[args[0]["unit"]] = Result(task_id)
        return result


class Metrics:
    def __init__(self) -> None:
        self.ended: list[tuple[str, str]] = []

    def answered_elsewhere(self, by_instance: object, throttled: object) -> None:
        pass

    def run_ended(self, unit: str, outcome: str, seconds: float, ended: float) -> None:
        self.ended.append((unit, outcome))


def celery_queue(app: App, metrics: Metrics) -> CeleryQueue:
    return CeleryQueue(cast(Any, app), cast(Any, metrics), lost_after=600)


def test_fifty_units_on_the_workers_keep_one_thread_here() -> None:
    app, metrics = App(), Metrics()
    before = set(threading.enumerate())
    runs = celery_queue(app, metrics)
    units = [f"u{n:02}.yaml" for n in range(50)]
    for unit in units:
        runs.submit(unit, "schedule")
    wait_for(lambda: len(app.sent) == 50)
    # Handed out, not started: waiting. Every unit's run is out at once, and the only
    # thread the queue added is its dispatcher (it was one per unit, 50 here).
    assert len(runs.waiting()) == 50 and runs.running() == []
    added = [t.name for t in set(threading.enumerate()) - before]
    assert added == ["okrsync-dispatcher"]
    consumer = app.backend.result_consumer
    consumer.report(app.sent["u00.yaml"], "STARTED")
    wait_for(lambda: [r.unit for r in runs.running()] == ["u00.yaml"])
    assert len(runs.waiting()) == 49
    for unit in units:
        consumer.report(app.sent[unit], "SUCCESS", {"outcome": "ok", "duration": 1.0})
    wait_for(lambda: len(metrics.ended) == 50)
    wait_for(lambda: runs.waiting() == [] and runs.running() == [])
    assert sorted(metrics.ended) == [(unit, "ok") for unit in units]
    assert runs.close(1) is True


def test_a_busy_answer_asks_again_and_a_failure_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_module, "BUSY_RETRY", 0.1)
    app, metrics = App(), Metrics()
    runs = celery_queue(app, metrics)
    first = runs.submit("a.yaml", "webhook jira")
    wait_for(lambda: "a.yaml" in app.sent)
    app.backend.result_consumer.report(app.sent["a.yaml"], "SUCCESS", {"busy": True})
    # Asked for again with the same reasons, and not counted: it did not run.
    again = wait_for(lambda: app.sent["a.yaml"].id != first.id and app.sent["a.yaml"])
    assert metrics.ended == []
    (shown,) = runs.waiting()
    assert shown.id == again.id and shown.reasons == ["webhook jira"]
    app.backend.result_consumer.report(again, "FAILURE", RuntimeError("worker broke"))
    wait_for(lambda: metrics.ended == [("a.yaml", "failed")])
    wait_for(lambda: runs.waiting() == [])
    assert runs.close(1) is True
