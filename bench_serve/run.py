"""One benchmark run: sandboxes seeded, serve (and workers) started, every unit synced
once, the load sent, the results waited for, everything measured, all stopped."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_serve.layout import Unit, progress_after, units
from bench_serve.load import REAL, Delivery, plan, send_all
from bench_serve.measure import Measured, Write, children, measure, peak_rss_mb
from bench_serve.processes import (
    BenchFailed,
    Host,
    Logged,
    Serve,
    cpu_seconds,
    start_workers,
)
from bench_serve.workspace import write_workspace
from okrsync.serve.celery_app import DEFAULT_CONCURRENCY

# After the last delivery, the results have this long to land.
SETTLE_SECONDS = 600.0
# Once they have, this long more to catch a late second write.
QUIET_SECONDS = 3.0


@dataclass(frozen=True)
class Settings:
    units: int = 200
    deliveries: int = 1000
    seconds: float = 60.0
    duplicates: float = 0.3
    forged: float = 0.1
    latency: float = 0.02
    workers: int = 2
    concurrency: int = DEFAULT_CONCURRENCY  # each worker process's threads (--broker)
    debounce: str = "2s"
    store: str | None = None  # default: a SQLite file in the workspace
    broker: str | None = None


@dataclass
class Outcome:
    settings: Settings
    measured: Measured
    initial_sync_seconds: float
    settle_seconds: float  # from the last delivery until every result had landed
    serve_peak_mb: float | None
    worker_peak_mb: list[float | None]
    serve_cpu_seconds: float | None  # during the load and until it settled
    serve_wall_seconds: float  # how long that was
    workers_cpu_seconds: float | None  # the worker processes' together, over the same time
    sandboxes_cpu_seconds: float | None  # the sandbox host's, over the same time
    requests: dict[str, int]
    run_seconds: list[float] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _wait(check: Callable[[], bool], timeout: float, what: str) -> float:
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > timeout:
            raise BenchFailed(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - began


def _tree_peak_mb(pid: int) -> float | None:
    """A worker's peak memory with its pool's (each process's own peak, summed)."""
    peaks = [peak_rss_mb(p) for p in (pid, *children(pid))]
    known = [p for p in peaks if p is not None]
    return sum(known) if known else None


def _writes(host: Host) -> list[Write]:
    return [Write(**w) for w in host.ask({"cmd": "writes"})["writes"]]


def _landed(host: Host, targets: dict[int, str], wanted: dict[int, float]) -> bool:
    best: dict[str, float] = {}
    for write in _writes(host):
        if write.value is not None:
            best[write.target] = max(best.get(write.target, -1.0), write.value)
    return all(best.get(targets[unit], -1.0) >= value for unit, value in wanted.items())


def run(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> Outcome:
    the_plan = plan(
        deliveries=settings.deliveries,
        seconds=settings.seconds,
        units=settings.units,
        duplicates=settings.duplicates,
        forged=settings.forged,
    )
    load_before = os.getloadavg()
    progress(f"seeding the sandboxes for {settings.units} units")
    host = Host(settings.units, settings.latency)
    started: list[Logged] = []
    try:
        targets = {int(k): str(v) for k, v in host.ready["targets"].items()}
        with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
            workspace = write_workspace(
                Path(folder),
                jira_url=host.ready["jira"],
                github_url=host.ready["github"],
                targets=targets,
                units=units(settings.units),
                debounce=settings.debounce,
                store=settings.store,
                broker=settings.broker,
            )
            serve = Serve(workspace, None if settings.broker else settings.workers)
            started.append(serve)
            if settings.broker:
                started.extend(start_workers(workspace, settings.workers, settings.concurrency))
            outcome = _measure(settings, the_plan, host, serve, started[1:], targets, progress)
            outcome.load_before, outcome.load_after = load_before, os.getloadavg()
            return outcome
    finally:
        for process in reversed(started):
            process.stop()
        host.stop()


def _measure(
    settings: Settings,
    the_plan: Any,
    host: Host,
    serve: Serve,
    workers: list[Logged],
    targets: dict[int, str],
    progress: Callable[[str], None],
) -> Outcome:
    progress("syncing every unit once (the first full pull and push)")
    answer = serve.api.post("/api/sync", json={})
    if answer.status_code != 202:
        raise BenchFailed(f"POST /api/sync answered {answer.status_code}: {answer.text}")
    initial = {unit: progress_after(0) for unit in targets}
    initial_seconds = _wait(
        lambda: _landed(host, targets, initial) and serve.idle(),
        SETTLE_SECONDS + settings.units * 5,
        "the first sync of every unit",
    )
    host.ask({"cmd": "reset"})
    # Runs log where they are made: serve's threads, or each worker process.
    runners = workers or [serve]
    offsets = [runner.log_size() for runner in runners]
    cpu_mark, wall_mark = cpu_seconds(serve.pid), time.monotonic()
    workers_mark, host_mark = _cpu_together(workers), cpu_seconds(host.process.pid)
    progress(
        f"sending {settings.deliveries} deliveries over {settings.seconds:g} s ({the_plan.counts})"
    )

    async def change(unit: int) -> dict[str, Any]:
        answer: dict[str, Any] = await asyncio.to_thread(host.ask, {"cmd": "change", "unit": unit})
        return answer

    deliveries: list[Delivery] = asyncio.run(send_all(the_plan, serve.url, change))
    wanted: dict[int, float] = {}
    for delivery in deliveries:
        if delivery.kind == REAL:
            unit = delivery.unit.index
            wanted[unit] = max(wanted.get(unit, 0.0), progress_after(delivery.changes))
    progress("waiting for every result to be written back")
    try:
        settle = _wait(
            lambda: _landed(host, targets, wanted) and serve.idle(),
            SETTLE_SECONDS,
            "every result landing",
        )
    except BenchFailed as missing:
        progress(f"{missing}: measuring what landed")
        settle = SETTLE_SECONDS
    time.sleep(QUIET_SECONDS)
    _wait(serve.idle, SETTLE_SECONDS, "serve's queue emptying")
    lines = [line for r, o in zip(runners, offsets, strict=True) for line in r.log_lines(o)]
    cpu_end, wall = cpu_seconds(serve.pid), time.monotonic() - wall_mark
    workers_end, host_end = _cpu_together(workers), cpu_seconds(host.process.pid)
    measured = measure(deliveries, _writes(host), targets, lines)
    return Outcome(
        settings=settings,
        measured=measured,
        initial_sync_seconds=initial_seconds,
        settle_seconds=settle,
        serve_peak_mb=peak_rss_mb(serve.pid),
        worker_peak_mb=[_tree_peak_mb(w.pid) for w in workers],
        serve_cpu_seconds=_spent(cpu_mark, cpu_end),
        serve_wall_seconds=wall,
        workers_cpu_seconds=_spent(workers_mark, workers_end),
        sandboxes_cpu_seconds=_spent(host_mark, host_end),
        requests=dict(host.ask({"cmd": "requests"})),
        run_seconds=[float(x["duration"]) for x in lines if x.get("event") == "run"],
    )


def _spent(mark: float | None, end: float | None) -> float | None:
    return None if mark is None or end is None else end - mark


def _cpu_together(workers: list[Logged]) -> float | None:
    """The worker processes' CPU time so far, added up; None without workers."""
    times = [cpu_seconds(w.pid) for w in workers]
    if not times or None in times:
        return None
    return sum(t for t in times if t is not None)


__all__ = ["Outcome", "Settings", "Unit", "run"]
