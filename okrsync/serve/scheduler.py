"""The in-process scheduler: each unit is queued when its cron schedule comes due.

A unit's schedule is its mapping file's ``schedule:``, else ``serve.schedule``; a unit
with neither is synced on webhooks and requests only. A schedule that came due while
the service was stopped is not made up for: the next due time counts from the start.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime

from okrsync.serve.cron import Schedule
from okrsync.serve.queue import RunQueue


class Scheduler:
    def __init__(self, schedules: Mapping[str, Schedule], queue: RunQueue) -> None:
        self.schedules = dict(schedules)
        self.queue = queue
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="okrsync-scheduler", daemon=True)

    def start(self) -> None:
        if self.schedules:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def next_runs(self, after: datetime) -> dict[str, datetime]:
        """When each scheduled unit is queued next after ``after``."""
        return {unit: s.next_after(after) for unit, s in self.schedules.items()}

    def _loop(self) -> None:
        upcoming = self.next_runs(datetime.now(UTC))
        while not self._stop.is_set():
            unit, due = min(upcoming.items(), key=lambda entry: entry[1])
            # Wake at least once a minute: a clock that jumps is noticed soon.
            wait = (due - datetime.now(UTC)).total_seconds()
            if wait > 0:
                self._stop.wait(min(wait, 60.0))
                continue
            self.queue.submit(unit, "schedule")
            upcoming[unit] = self.schedules[unit].next_after(due)
