"""Executing one unit run, as ``okrsync sync --unit FILE`` does, and telling about it:
the metrics, and one log line per run with its unit, outcome, duration, requests and
writes.

The project is loaded again for a run whenever a file it was loaded from changed (or
a mapping file was added or removed), so an edited mapping file is synced as it reads
now; a file that became invalid fails its own unit's runs only. Loading every file
for every run would cost more than the run itself once there are hundreds of units.
What the connectors read about the tools' set-up (Jira's fields, a GitHub project) is
kept across the runs (``okrsync.kept_metadata`` says for how long). A runner that has a
``worker`` name (an ``okrsync worker`` process) records it with the run and in its log
lines.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from okrsync import runs
from okrsync.errors import OkrsyncError, RunInProgress, ValidationFailed
from okrsync.http import observe_attempts
from okrsync.kept_metadata import KeptMetadata, keep_metadata
from okrsync.project import Project, load_project
from okrsync.run_record import RunRecorder
from okrsync.secrets import redact
from okrsync.serve.metrics import ServeMetrics
from okrsync.serve.queue import RunRequest, UnitBusy
from okrsync.store import Store
from okrsync.units import UnitProject

log = logging.getLogger("okrsync.serve.runs")


@dataclass
class RunOutcome:
    """What one unit run did, as its log line says it."""

    unit: str
    request: str
    outcome: str = "failed"  # ok | partial | failed
    run_id: int | None = None
    duration: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)  # 429s, by instance
    writes: int = 0
    error: str | None = None
    worker: str | None = None

    def fields(self) -> dict[str, object]:
        return {
            "event": "run",
            "unit": self.unit,
            "request": self.request,
            "worker": self.worker,
            "run": self.run_id,
            "outcome": self.outcome,
            "duration": round(self.duration, 3),
            "requests": sum(self.requests.values()),
            "writes": self.writes,
            "error": self.error,
        }


Stamp = tuple[tuple[str, int, int], ...]


def _stamp(project: Project) -> Stamp:
    """Each file the project was loaded from, and each file its mapping folders and
    patterns hold now, with its modification time and size."""
    # Plain strings and ``os.scandir``: comparing and sorting ``Path`` objects cost more
    # than every ``stat`` of a few hundred files together, and this runs before every run.
    paths = [str(project.config_path)]
    for entry in project.config.mappings:
        if any(ch in entry for ch in "*?["):
            paths.extend(sorted(str(p) for p in Path("/").glob(entry.lstrip("/"))))
        elif os.path.isdir(entry):
            paths.extend(sorted(_folder_entries(entry)))
        else:
            paths.append(entry)
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _folder_entries(folder: str) -> Iterator[str]:
    """Every file and folder under ``folder``, at any depth (as ``Path.rglob("*")``)."""
    with os.scandir(folder) as listing:
        for entry in listing:
            yield entry.path
            if entry.is_dir(follow_symlinks=False):
                yield from _folder_entries(entry.path)


class ProjectFiles:
    """The project as its files read now: loaded again only when one changed."""

    def __init__(self, config: str | None) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._loaded: tuple[Project, Stamp] | None = None

    def project(self) -> Project:
        with self._lock:
            if self._loaded is not None and _stamp(self._loaded[0]) == self._loaded[1]:
                return self._loaded[0]
            self._loaded = None
        began = time.time_ns()
        project = load_project(self.config)  # ValidationFailed: nothing is kept
        stamp = _stamp(project)
        # A file changed while it was being read may have been read as it was: the
        # next run loads it again.
        if all(modified < began for _path, modified, _size in stamp):
            with self._lock:
                self._loaded = (project, stamp)
        return project


class UnitRunner:
    """Performs queued unit runs against the store, recording each as a run."""

    def __init__(
        self,
        config: str | None,
        store: Store,
        metrics: ServeMetrics,
        *,
        worker: str | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.metrics = metrics
        self.worker = worker
        self.files = ProjectFiles(config)
        # Every run's connectors share what earlier runs read about the tools' set-up.
        self.kept = KeptMetadata()

    def __call__(self, request: RunRequest) -> RunOutcome:
        """Run it; ``UnitBusy`` when another process holds the unit's lock."""
        outcome = RunOutcome(request.unit, request.id, worker=self.worker)
        began = time.monotonic()

        def answered(instance: str, status: int) -> None:
            outcome.requests[instance] += 1
            if status == 429:
                outcome.throttled[instance] += 1
            self.metrics.answered(instance, status)

        try:
            with observe_attempts(answered), keep_metadata(self.kept):
                self._run(request, outcome)
        except RunInProgress:
            log.info("%s is being synced by another process: trying again", request.unit)
            raise UnitBusy(request.unit) from None
        except ValidationFailed as failure:
            outcome.error = redact("; ".join(str(p) for p in failure.problems))
        except OkrsyncError as error:
            outcome.error = redact(str(error))
        except Exception as error:
            outcome.error = redact(f"internal error: {type(error).__name__}: {error}")
            log.exception("the run of %s failed unexpectedly", request.unit)
        outcome.duration = time.monotonic() - began
        self.metrics.run_ended(outcome.unit, outcome.outcome, outcome.duration, time.time())
        log.info(
            "run of %s: %s in %.1fs, %d requests, %d writes%s",
            outcome.unit,
            outcome.outcome,
            outcome.duration,
            sum(outcome.requests.values()),
            outcome.writes,
            f": {outcome.error}" if outcome.error else "",
            extra={"fields": outcome.fields()},
        )
        return outcome

    def _run(self, request: RunRequest, outcome: RunOutcome) -> None:
        project = UnitProject(self.files.project(), request.unit)
        started = datetime.now(UTC)
        with (
            self.store.run_lock(unit=project.unit),
            RunRecorder(self.store, "sync", started, started=started, unit=project.unit) as run,
        ):
            outcome.run_id = run.run_id
            if self.worker is not None:
                log.info(
                    "run of %s started on %s",
                    project.unit,
                    self.worker,
                    extra={
                        "fields": {
                            "event": "run_started",
                            "unit": project.unit,
                            "request": request.id,
                            "run": run.run_id,
                            "worker": self.worker,
                        }
                    },
                )
            try:
                _plan, applied = asyncio.run(runs.sync(project, self.store, started, run))
            finally:
                # The queued request the run served (the sync replaces ``pulled``).
                run.pulled["request"] = request.id
                if self.worker is not None:
                    run.pulled["worker"] = self.worker
        outcome.writes = len(applied)
        outcome.outcome = "partial" if run.failures else "ok"
        if run.failures:
            outcome.error = "; ".join(str(f) for f in run.failures)
