"""``CeleryQueue``: the ``RunQueue`` of ``okrsync serve`` with a ``broker:``.

``okrsync serve`` is the only process that asks for runs (its scheduler, webhooks and
API), so the unit rules are kept where they are asked for, by the same ``UnitQueue`` as
in-process: one run waiting and one running per unit, joining and the debounce delay, a
failing run failing its unit only. What differs is what "running" a run means: it is
handed to the ``okrsync worker`` processes through the broker, and it is over when its
result arrives. A worker that finds the unit's lock held (a ``okrsync sync``
from cron, or a run delivered again while it still runs) answers "busy", and the run is
asked for again after ``BUSY_RETRY``, as in-process.

Everything that talks to the broker and the result backend happens on one thread (the
dispatcher), which sends the runs, takes in what the workers report and ends the runs
whose results came: Celery's clients are not meant to be shared between threads, and no
thread waits for one run, however many units there are. The workers' reports (a run
started, a run over) arrive through the backend's result consumer (Redis's pub/sub, or
RabbitMQ's reply queue) as they are made, so the dispatcher never asks for the state of
each run handed out.

A run handed out that no worker reports started or over within ``lost_after`` (its
message lost with the broker restarted, or never delivered) is counted failed, logged,
and asked for again: its unit does not stay "running" until serve restarts.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from okrsync.secrets import redact
from okrsync.serve.celery_app import TASK, shown_broker
from okrsync.serve.metrics import ServeMetrics
from okrsync.serve.queue import RunRequest, UnitQueue

if TYPE_CHECKING:
    from celery import Celery
    from celery.result import AsyncResult

log = logging.getLogger("okrsync.serve")

# How long the dispatcher waits for the workers' reports before looking for runs to
# hand out again (seconds); with no run handed out, how long it waits for one.
DRAIN = 0.05
POLL = 0.2


@dataclass
class _Sent:
    request: RunRequest
    result: AsyncResult
    # When it was handed out or a worker last reported it started (monotonic).
    heard: float


class CeleryQueue(UnitQueue):
    """Hands every run to the workers; ``waiting()`` includes the runs handed out that
    no worker has started yet, ``running()`` those a worker runs now. A run handed
    out and not heard of for ``lost_after`` seconds is counted failed."""

    def __init__(self, app: Celery, metrics: ServeMetrics, *, lost_after: float) -> None:
        super().__init__()
        self._app = app
        self._metrics = metrics
        self._lost_after = lost_after
        self._sent: dict[str, _Sent] = {}
        self._started: set[str] = set()
        self._seen = threading.Lock()
        self._stopping = threading.Event()
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="okrsync-dispatcher", daemon=True
        )
        self._dispatcher.start()

    def waiting(self) -> list[RunRequest]:
        with self._seen:
            started = set(self._started)
        handed = [r for r in super().running() if r.id not in started]
        return super().waiting() + handed

    def running(self) -> list[RunRequest]:
        with self._seen:
            started = set(self._started)
        return [r for r in super().running() if r.id in started]

    def close(self, timeout: float) -> bool:
        """Ask for no more runs. The runs handed out go on: they are the workers'."""
        super().close(0)
        self._stopping.set()
        self._dispatcher.join(timeout)
        return True

    def problem(self) -> str | None:
        from kombu import Connection

        url = str(self._app.conf.broker_url)
        connection = Connection(url, connect_timeout=3)
        try:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)
        except Exception as error:
            return redact(f"the broker {shown_broker(url)} is unreachable: {error}")
        finally:
            connection.release()
        return None

    def _dispatch(self) -> None:
        # Every state a worker reports, "started" included, passes through here.
        self._app.backend.result_consumer.on_message = self._reported
        while not self._stopping.is_set():
            try:
                for request in self._start_ready(wait=POLL if not self._sent else 0.0):
                    self._send(request)
                if self._sent:
                    self._take_reports()
                self._give_up_lost(time.monotonic())
            except Exception as error:
                # The dispatcher never dies of one run (every other unit waits on it),
                # nor spins on an unreachable backend.
                log.warning("handing out runs failed: %s", redact(str(error)), exc_info=True)
                self._stopping.wait(POLL)
        # The broker's and the backend's connections go with the thread that used them
        # (a failure to close them changes nothing: serve is stopping). The runs still
        # out are let go first: letting one go unsubscribes from its report.
        with contextlib.suppress(Exception):
            for sent in self._sent.values():
                self._app.backend.remove_pending_result(sent.result)
            self._sent.clear()
            self._app.backend.result_consumer.stop()
            self._app.close()

    def _send(self, request: RunRequest) -> None:
        try:
            result = self._app.send_task(
                TASK, args=[request.to_dict()], task_id=request.id, retry=False
            )
        except Exception as error:
            log.warning("the run of %s was not handed out: %s", request.unit, redact(str(error)))
            # Asked for again as a busy unit's run is.
            self._ended(request, busy=True)
            return
        self._sent[request.id] = _Sent(request, result, heard=time.monotonic())
        result.then(self._finished)

    def _take_reports(self) -> None:
        # RabbitMQ's consumer raises TimeoutError when nothing came.
        with contextlib.suppress(TimeoutError):
            self._app.backend.result_consumer.drain_events(timeout=DRAIN)

    def _reported(self, meta: dict[str, Any]) -> None:
        sent = self._sent.get(str(meta.get("task_id")))
        if sent is not None and meta.get("status") == "STARTED":
            sent.heard = time.monotonic()
            with self._seen:
                self._started.add(sent.request.id)

    def _finished(self, result: AsyncResult) -> None:
        sent = self._sent.get(result.id)
        if sent is None:  # counted lost already
            return
        request = sent.request
        if result.state == "SUCCESS" and isinstance(result.result, dict):
            report: dict[str, Any] = result.result
        else:
            report = {"outcome": "failed"}
            log.warning(
                "the run of %s failed on its worker: %s", request.unit, redact(str(result.result))
            )
        try:
            result.forget()
        except Exception:  # the result expires by itself
            log.debug("could not forget the result of %s", result.id)
        busy = bool(report.get("busy"))
        if not busy:  # a busy unit's run did not run: nothing to count
            self._count(request, report)
        self._settle(result.id, busy=busy)

    def _count(self, request: RunRequest, report: dict[str, Any]) -> None:
        """The metrics of a run a worker made, from its report."""
        self._metrics.answered_elsewhere(report.get("by_instance", {}), report.get("throttled", {}))
        self._metrics.run_ended(
            request.unit,
            str(report.get("outcome", "failed")),
            float(report.get("duration", 0.0)),
            time.time(),
        )

    def _give_up_lost(self, now: float) -> None:
        for task_id, sent in list(self._sent.items()):
            silent = now - sent.heard
            if silent < self._lost_after:
                continue
            request = sent.request
            log.warning(
                "the run of %s was not heard of for %.0fs after it was handed out or "
                "started (its message lost, a broker restarted?): counted failed and asked "
                "for again",
                request.unit,
                silent,
                extra={"fields": {"event": "run_lost", "unit": request.unit, "request": task_id}},
            )
            # No more waiting for its report (a late one is ignored).
            self._app.backend.remove_pending_result(sent.result)
            self._metrics.run_ended(request.unit, "failed", 0.0, time.time())
            # Asked for again as a busy unit's run is: what asked for it still counts.
            self._settle(task_id, busy=True)

    def _settle(self, task_id: str, *, busy: bool) -> None:
        sent = self._sent.pop(task_id)
        # Out of running before out of started: it is never shown waiting again.
        self._ended(sent.request, busy=busy)
        with self._seen:
            self._started.discard(task_id)
