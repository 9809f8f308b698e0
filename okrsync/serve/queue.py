"""How unit runs are queued and executed: a ``RunQueue``.

``InProcessQueue`` runs them on worker threads of the serving process. Its rules are
the service's rules, whatever executes the runs:

- a unit has at most one run waiting and one running: a request for a unit that is
  already waiting joins that run (deliveries within the debounce window make one run),
  and a request for a running unit waits until that run is over (runs never overlap);
- different units run side by side, up to ``workers`` at once;
- a run that fails fails its unit only: the next one starts regardless.

With ``broker:``, ``CeleryQueue`` (``okrsync.serve.celery_queue``) keeps the same rules
and hands each run to an ``okrsync worker`` process instead of running it here.
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


class InProcessQueue:
    """Runs on ``workers`` threads of this process; ``execute`` performs one run and
    raises ``UnitBusy`` when the unit's lock is held elsewhere."""

    def __init__(self, execute: Execute, workers: int = 4) -> None:
        self._execute = execute
        self._changed = threading.Condition()
        self._waiting: dict[str, RunRequest] = {}
        self._due: dict[str, float] = {}  # unit -> when its waiting run may start
        self._running: dict[str, RunRequest] = {}
        self._closing = False
        self._threads = [
            threading.Thread(target=self._work, name=f"okrsync-worker-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

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

    def _next(self) -> RunRequest | None:
        """The waiting run to start now, or None after closing; waits for one."""
        with self._changed:
            while not self._closing:
                now = time.monotonic()
                ready = [u for u in self._waiting if u not in self._running and self._due[u] <= now]
                if ready:
                    unit = min(ready, key=self._due.__getitem__)
                    request = self._waiting.pop(unit)
                    del self._due[unit]
                    self._running[unit] = request
                    return request
                later = [self._due[u] for u in self._waiting if u not in self._running]
                self._changed.wait(max(0.0, min(later) - now) if later else None)
            return None

    def _work(self) -> None:
        while (request := self._next()) is not None:
            busy = False
            try:
                self._execute(request)
            except UnitBusy:
                busy = True
            except Exception:
                # ``execute`` records and logs what failed; a worker never dies of it.
                log.exception("the run of %s failed unexpectedly", request.unit)
            finally:
                with self._changed:
                    del self._running[request.unit]
                    self._changed.notify_all()
            if busy and not self._closing:
                for reason in request.reasons:
                    self.submit(request.unit, reason, BUSY_RETRY)
