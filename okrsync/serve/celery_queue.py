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
dispatcher), which sends the runs and polls their results: Celery's clients are not
meant to be shared between threads.
"""

from __future__ import annotations

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

# How often the dispatcher asks for the results of the runs handed out (seconds).
POLL = 0.2


@dataclass
class _Handoff:
    request: RunRequest
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] | None = None
    error: str | None = None


class CeleryQueue(InProcessQueue):
    """Hands every run to the workers; ``waiting()`` includes the runs handed out that
    no worker has started yet, ``running()`` those a worker runs now."""

    def __init__(self, app: Celery, metrics: ServeMetrics, *, units: int) -> None:
        self._app = app
        self._metrics = metrics
        self._outbox: queue.SimpleQueue[_Handoff] = queue.SimpleQueue()
        self._sent: dict[str, tuple[_Handoff, AsyncResult]] = {}
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
        while not self._stopping.is_set():
            try:
                handoff = self._outbox.get(timeout=POLL)
            except queue.Empty:
                handoff = None
            try:
                if handoff is not None:
                    self._send(handoff)
                self._collect()
            except Exception:
                # The dispatcher never dies of one run: every other unit waits on it.
                log.exception("handing out runs failed unexpectedly")

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
        self._sent[request.id] = (handoff, result)

    def _collect(self) -> None:
        for task_id, (handoff, result) in list(self._sent.items()):
            try:
                state = result.state
                if state == "STARTED":
                    with self._seen:
                        self._started.add(task_id)
                if state not in ("SUCCESS", "FAILURE", "REVOKED"):
                    continue
                if state == "SUCCESS" and isinstance(result.result, dict):
                    handoff.result = result.result
                else:
                    handoff.result = {"outcome": "failed"}
                    log.warning(
                        "the run of %s failed on its worker: %s",
                        handoff.request.unit,
                        redact(str(result.result)),
                    )
            except Exception as error:  # the backend is unreachable: ask again later
                log.debug("no result yet for %s: %s", task_id, redact(str(error)))
                continue
            try:
                result.forget()
            except Exception:  # the result expires by itself
                log.debug("could not forget the result of %s", task_id)
            del self._sent[task_id]
            with self._seen:
                self._started.discard(task_id)
            handoff.done.set()
