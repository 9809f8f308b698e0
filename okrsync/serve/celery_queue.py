"""``CeleryQueue``: the ``RunQueue`` of ``okrsync serve`` with a ``broker:``.

``okrsync serve`` is the only process that asks for runs (its scheduler, webhooks and
API), so the unit rules are kept where they are asked for, by the same ``InProcessQueue``
that runs them in-process: one run waiting and one running per unit, joining and the
debounce delay, a failing run failing its unit only. What differs is what "running" a
run means: it is handed to the ``okrsync worker`` processes through the broker, and the
queue waits for its result. A worker that finds the unit's lock held (a ``okrsync sync``
from cron, or a run delivered again while it still runs) answers "busy", and the run is
asked for again after ``BUSY_RETRY``, as in-process.

Everything that talks to the broker and the result backend happens on one thread (the
dispatcher), which sends the runs and takes in what the workers report: Celery's
clients are not meant to be shared between threads. The workers' reports (a run
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
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from okrsync.secrets import redact
from okrsync.serve.celery_app import TASK, shown_broker
from okrsync.serve.metrics import ServeMetrics
from okrsync.serve.queue import InProcessQueue, RunRequest, UnitBusy

if TYPE_CHECKING:
    from celery import Celery
    from celery.result import AsyncResult

log = logging.getLogger("okrsync.serve")

# How long the dispatcher waits for the workers' reports before looking for runs to
# hand out again (seconds); with no run handed out, how long it waits for one.
DRAIN = 0.05
POLL = 0.2


@dataclass
class _Handoff:
    request: RunRequest
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] | None = None
    error: str | None = None
    lost: bool = False


@dataclass
class _Sent:
    handoff: _Handoff
    result: AsyncResult
    # When it was handed out or a worker last reported it started (monotonic).
    heard: float


class CeleryQueue(InProcessQueue):
    """Hands every run to the workers; ``waiting()`` includes the runs handed out that
    no worker has started yet, ``running()`` those a worker runs now. A run handed
    out and not heard of for ``lost_after`` seconds is counted failed."""

    def __init__(
        self, app: Celery, metrics: ServeMetrics, *, units: int, lost_after: float
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._lost_after = lost_after
        self._outbox: queue.SimpleQueue[_Handoff] = queue.SimpleQueue()
        self._sent: dict[str, _Sent] = {}
        self._started: set[str] = set()
        self._seen = threading.Lock()
        self._stopping = threading.Event()
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="okrsync-dispatcher", daemon=True
        )
        self._dispatcher.start()
        # One thread per unit waits for that unit's run: every unit may be running.
        super().__init__(self._hand_over, workers=max(units, 1))

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

    def _hand_over(self, request: RunRequest) -> None:
        handoff = _Handoff(request)
        self._outbox.put(handoff)
        handoff.done.wait()
        if handoff.error is not None:
            log.warning("the run of %s was not handed out: %s", request.unit, handoff.error)
            raise UnitBusy(request.unit)
        if handoff.lost:
            self._metrics.run_ended(request.unit, "failed", 0.0, time.time())
            # Asked for again as a busy unit's run is: what asked for it still counts.
            raise UnitBusy(request.unit)
        result = handoff.result or {}
        if result.get("busy"):
            raise UnitBusy(request.unit)
        self._metrics.answered_elsewhere(result.get("by_instance", {}), result.get("throttled", {}))
        self._metrics.run_ended(
            request.unit,
            str(result.get("outcome", "failed")),
            float(result.get("duration", 0.0)),
            time.time(),
        )

    def _dispatch(self) -> None:
        # Every state a worker reports, "started" included, passes through here.
        self._app.backend.result_consumer.on_message = self._reported
        while not self._stopping.is_set():
            try:
                self._send_handed_over(wait=POLL if not self._sent else 0.0)
                if self._sent:
                    self._take_reports()
                self._give_up_lost(time.monotonic())
            except Exception as error:
                # The dispatcher never dies of one run (every other unit waits on it),
                # nor spins on an unreachable backend.
                log.warning("handing out runs failed: %s", redact(str(error)), exc_info=True)
                self._stopping.wait(POLL)

    def _send_handed_over(self, wait: float) -> None:
        """Send the runs handed over since the last call, waiting ``wait`` for one."""
        try:
            handoff = self._outbox.get(timeout=wait) if wait else self._outbox.get_nowait()
            while True:
                self._send(handoff)
                handoff = self._outbox.get_nowait()
        except queue.Empty:
            return

    def _send(self, handoff: _Handoff) -> None:
        request = handoff.request
        try:
            result = self._app.send_task(
                TASK, args=[request.to_dict()], task_id=request.id, retry=False
            )
        except Exception as error:
            handoff.error = redact(str(error))
            handoff.done.set()
            return
        self._sent[request.id] = _Sent(handoff, result, heard=time.monotonic())
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
                self._started.add(sent.handoff.request.id)

    def _finished(self, result: AsyncResult) -> None:
        sent = self._sent.get(result.id)
        if sent is None:  # counted lost already
            return
        handoff = sent.handoff
        if result.state == "SUCCESS" and isinstance(result.result, dict):
            handoff.result = result.result
        else:
            handoff.result = {"outcome": "failed"}
            log.warning(
                "the run of %s failed on its worker: %s",
                handoff.request.unit,
                redact(str(result.result)),
            )
        try:
            result.forget()
        except Exception:  # the result expires by itself
            log.debug("could not forget the result of %s", result.id)
        self._settle(result.id)

    def _give_up_lost(self, now: float) -> None:
        for task_id, sent in list(self._sent.items()):
            silent = now - sent.heard
            if silent < self._lost_after:
                continue
            request = sent.handoff.request
            log.warning(
                "the run of %s was not heard of for %.0fs after it was handed out or "
                "started (its message lost, a broker restarted?): counted failed and asked "
                "for again",
                request.unit,
                silent,
                extra={"fields": {"event": "run_lost", "unit": request.unit, "request": task_id}},
            )
            sent.handoff.lost = True
            # No more waiting for its report (a late one is ignored).
            self._app.backend.remove_pending_result(sent.result)
            self._settle(task_id)

    def _settle(self, task_id: str) -> None:
        sent = self._sent.pop(task_id)
        with self._seen:
            self._started.discard(task_id)
        sent.handoff.done.set()
