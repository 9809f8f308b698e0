"""How unit runs are queued and executed: a ``RunQueue``.

``UnitQueue`` keeps the service's rules, whatever executes the runs:

- a unit has at most one run waiting and one running: a request for a unit that is
  already waiting joins that run (deliveries within the debounce window make one run),
  and a request for a running unit waits until that run is over (runs never overlap);
- different units run side by side;
- a run that fails fails its unit only: the next one starts regardless.

``InProcessQueue`` runs them on ``workers`` threads of the serving process, which is
also how many run at once. With ``broker:``, ``CeleryQueue``
(``okrsync.serve.celery_queue``) hands each run to an ``okrsync worker`` process
instead, and ends it when the worker's result arrives: no thread waits for a run.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger("okrsync.serve")

# A unit whose lock another process holds (a `okrsync sync` from cron, say) is tried
# again after this long.
BUSY_RETRY = 5.0


class UnitBusy(Exception):
    """The unit's run lock is held elsewhere: the run was not started; try again."""


@dataclass
class RunRequest:
    """A run of one unit, waiting or running; ``reasons`` says what asked for it."""

    unit: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    reasons: list[str] = field(default_factory=list)
    queued_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "unit": self.unit,
            "reasons": list(self.reasons),
            "queued_at": self.queued_at.isoformat(),
        }


class RunQueue(Protocol):
    def submit(self, unit: str, reason: str, delay: float = 0.0) -> RunRequest:
        """Ask for a run of ``unit`` within ``delay`` seconds; returns the run asked for
        (one already waiting, when there is one)."""
        ...

    def waiting(self) -> list[RunRequest]: ...

    def running(self) -> list[RunRequest]: ...

    def close(self, timeout: float) -> bool:
        """Start no more runs; wait up to ``timeout`` seconds for the running ones.
        True when none is left running."""
        ...

    def problem(self) -> str | None:
        """Why runs cannot be queued now (the broker is unreachable), or None."""
        ...


Execute = Callable[[RunRequest], object]


class UnitQueue:
    """The unit rules, whatever executes the runs: ``_start_ready`` hands out the runs
    that may start now (each then counts as running), and ``_ended`` is told when one
    is over. ``InProcessQueue`` and ``CeleryQueue`` differ only in what happens between."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: dict[str, RunRequest] = {}
        self._due: dict[str, float] = {}  # unit -> when its waiting run may start
        self._running: dict[str, RunRequest] = {}
        self._closing = False

    def submit(self, unit: str, reason: str, delay: float = 0.0) -> RunRequest:
        with self._changed:
            request = self._waiting.get(unit)
            due = time.monotonic() + delay
            if request is None:
                request = self._waiting[unit] = RunRequest(unit)
                self._due[unit] = due
            else:
                # Joining keeps the earliest start: a delivery never postpones a run.
                self._due[unit] = min(self._due[unit], due)
            request.reasons.append(reason)
            self._changed.notify_all()
            return request

    def waiting(self) -> list[RunRequest]:
        with self._changed:
            return list(self._waiting.values())

    def running(self) -> list[RunRequest]:
        with self._changed:
            return list(self._running.values())

    def problem(self) -> str | None:
        return None

    def close(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            while self._running and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return not self._running

    def _start_ready(self, wait: float | None, most: int | None = None) -> list[RunRequest]:
        """Start the waiting runs that may start now, earliest due first, up to ``most``;
        waits up to ``wait`` seconds (None: for as long as it takes) for one. None
        started once closing."""
        deadline = None if wait is None else time.monotonic() + wait
        with self._changed:
            while not self._closing:
                now = time.monotonic()
                free = [u for u in self._waiting if u not in self._running]
                ready = sorted((u for u in free if self._due[u] <= now), key=self._due.__getitem__)
                if ready or (deadline is not None and now >= deadline):
                    return [self._start(unit) for unit in ready[:most]]
                until = [self._due[u] for u in free]
                if deadline is not None:
                    until.append(deadline)
                self._changed.wait(max(0.0, min(until) - now) if until else None)
            return []

    def _start(self, unit: str) -> RunRequest:
        request = self._waiting.pop(unit)
        del self._due[unit]
        self._running[unit] = request
        return request

    def _ended(self, request: RunRequest, *, busy: bool) -> None:
        """The run is over; a ``busy`` one did not run and is asked for again, with what
        asked for it, after ``BUSY_RETRY``."""
        with self._changed:
            del self._running[request.unit]
            self._changed.notify_all()
            if busy and not self._closing:
                for reason in request.reasons:
                    self.submit(request.unit, reason, BUSY_RETRY)


class InProcessQueue(UnitQueue):
    """Runs on ``workers`` threads of this process; ``execute`` performs one run and
    raises ``UnitBusy`` when the unit's lock is held elsewhere."""

    def __init__(self, execute: Execute, workers: int = 4) -> None:
        super().__init__()
        self._execute = execute
        self._threads = [
            threading.Thread(target=self._work, name=f"okrsync-worker-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while started := self._start_ready(wait=None, most=1):
            (request,) = started
            busy = False
            try:
                self._execute(request)
            except UnitBusy:
                busy = True
            except Exception:
                # ``execute`` records and logs what failed; a worker never dies of it.
                log.exception("the run of %s failed unexpectedly", request.unit)
            finally:
                self._ended(request, busy=busy)
