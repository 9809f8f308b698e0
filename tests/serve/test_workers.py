"""``okrsync serve`` with ``broker:`` and real ``okrsync worker`` processes, over
PostgreSQL and Redis (RabbitMQ once), against the Jira sandbox: the runs spread across
the workers, a unit never runs twice at once, a killed worker's run completes on
another without a second write, and the workers keep one request budget together.

They run with CI=true (they start a service and several workers) and are skipped,
saying so, otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from okrsync_sandbox import SandboxServer
from serve_harness import (
    ENV,
    ServeProcess,
    free_port,
    samples,
    unit_file,
    wait_for,
    write_workspace,
)
from workers_harness import (
    AMQP_URL,
    REDIS_URL,
    Cluster,
    WorkerProcess,
    cluster,
    fresh_schema,
    require_services,
    use_broker,
    worker_of,
)

# Each run asks the tools a handful of questions; this much latency on each makes a run
# last long enough for runs of different units to overlap in time.
LATENCY = 0.15


@pytest.fixture
def site() -> Iterator[SandboxServer]:
    with SandboxServer() as jira:
        yield jira


def workspace(folder: Path, site: SandboxServer, database: str, broker: str, **more: str) -> Path:
    """The serve tests' workspace (shop, pay, down) and two more units reading SHOP and
    PAY without pushing, over PostgreSQL and ``broker``."""
    config = write_workspace(folder, site.url, debounce="0.2s")
    mappings = folder / "mappings"
    for name, query in (("shop-read", "project = SHOP"), ("pay-read", "project = PAY")):
        (mappings / f"{name}.yaml").write_text(
            unit_file(f"{name}-flow", f"{name}-done", query, source="jira", push=None)
        )
    extra = "".join(f"{key}: {value}\n" for key, value in more.items())
    use_broker(config, database=database, broker=broker, extra=extra)
    return config


@contextmanager
def on_redis(
    site: SandboxServer, folder: Path, *, run_timeout: str, workers: int
) -> Iterator[Cluster]:
    """The workspace with ``run_timeout``, over a fresh schema and Redis: serve and
    ``workers`` workers of one thread each."""
    require_services(broker=REDIS_URL)
    with fresh_schema() as database:
        config = workspace(folder, site, database, REDIS_URL, run_timeout=run_timeout)
        with cluster(
            config, database=database, broker=REDIS_URL, workers=workers, concurrency=1
        ) as running:
            yield running


async def ask(app: Any, path: str) -> httpx.Response:
    """``GET path`` of the ASGI ``app``, in this process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as client:
        return await client.get(path)


def finished(serve: ServeProcess, request_ids: list[str]) -> list[dict[str, Any]]:
    runs = [r for r in serve.runs()["runs"] if r["request"] in request_ids and r["finished_at"]]
    return runs if len(runs) == len(request_ids) else []


def intervals_overlap(runs: list[dict[str, Any]]) -> bool:
    spans = sorted(
        (datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"]))
        for r in runs
    )
    return any(later[0] < earlier[1] for earlier, later in pairwise(spans))


def test_runs_spread_across_workers_never_overlap_and_keep_one_budget(
    site: SandboxServer, tmp_path: Path
) -> None:
    require_services(broker=REDIS_URL)
    with fresh_schema() as database:
        # 10 requests a second for the Jira site, whatever the number of workers.
        config = workspace(tmp_path, site, database, REDIS_URL)
        config.write_text(
            config.read_text().replace(
                "  jira:\n    type: jira\n", "  jira:\n    type: jira\n    rate_limit: 10/s\n", 1
            )
        )
        started = cluster(config, database=database, broker=REDIS_URL, workers=2, concurrency=2)
        with started as running:
            serve, workers = running.serve, running.workers
            site.latency = LATENCY
            site.reset_log()
            # The first search is answered 429 "retry after 3 s": every worker pauses.
            site.faults.rate_limit("/rest/api/3/search", retry_after=3)
            # Every unit, twice: the second request for each unit joins its waiting run
            # or waits for its running one, so each unit runs once or twice, never at once.
            first = serve.api.post("/api/sync", json={}).json()["run_ids"]
            second = serve.api.post("/api/sync", json={}).json()["run_ids"]
            ids = sorted(set(first) | set(second))
            # /api/runs (and the dashboard) show the runs the workers have started.
            shown = wait_for(lambda: serve.runs()["queue"]["running"], timeout=30)
            runs = wait_for(lambda: finished(serve, ids), timeout=90, step=0.5)
            wait_for(serve.idle, timeout=30)
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for run in runs:
            by_unit.setdefault(run["unit"], []).append(run)
        assert sorted(by_unit) == [
            "mappings/down.yaml",
            "mappings/pay-read.yaml",
            "mappings/pay.yaml",
            "mappings/shop-read.yaml",
            "mappings/shop.yaml",
        ]
        assert {r["id"] for r in shown} <= set(ids)
        # Five units, each run by one of two workers: both took some.
        assert {worker_of(r, workers).name for r in runs} == {w.name for w in workers}
        for unit, unit_runs in by_unit.items():
            assert not intervals_overlap(unit_runs), unit
        # The units that read a reachable site succeeded; down.yaml failed alone.
        assert {r["unit"] for r in runs if r["status"] == "failed"} == {"mappings/down.yaml"}
        # The shared budget: no second (plus the budget's 0.25 s margin, which the sandbox
        # clock cannot see) holds more than 10 of the requests that reached the site.
        times = sorted(entry.at for entry in site.log.entries())
        assert len(times) > 20  # enough requests that an unshared budget would show
        busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
        assert busiest <= 10
        # The 429's pause held for all: after the requests already on their way when it
        # was answered (sent within its 0.15 s latency, given 0.75 s here), none reached
        # the site until the 3 s were over (less 0.25 s for the network).
        (limited,) = [e.at for e in site.log.entries() if e.status == 429]
        assert [t for t in times if limited + 0.75 < t < limited + 2.75] == []


def test_a_killed_workers_run_completes_on_another_with_one_write(
    site: SandboxServer, tmp_path: Path
) -> None:
    # A run timeout of 6 s (0.00007 days) makes Redis hand out a dead worker's run
    # again 12 s after it was delivered (the run timeout and a margin as long).
    with on_redis(site, tmp_path, run_timeout="0.00007", workers=2) as running:
        serve, workers = running.serve, running.workers
        site.reset_log()
        # The push to OKR-12 is written, then its answer held back: the worker that
        # sent it is killed while it waits, after the write and before its run ends.
        stall = site.faults.stall("/rest/api/3/issue/OKR-12", method="PUT", seconds=60)
        request = serve.api.post("/api/sync", json={"unit": "mappings/shop.yaml"}).json()
        wait_for(lambda: any(e.method == "PUT" for e in site.writes), timeout=30)
        doomed = next(w for w in workers if w.started("mappings/shop.yaml"))
        doomed.kill()
        stall.release()
        done = wait_for(lambda: serve.finished_runs(request["run_id"]), timeout=60, step=0.5)
        wait_for(serve.idle, timeout=30)
    survivor = next(w for w in workers if w is not doomed)
    assert [worker_of(r, workers) for r in done] == [survivor]
    assert [r["status"] for r in done] == ["ok"]
    # One set of writes: the killed run's first PUT was made (its answer never came),
    # and the run on the survivor, finding that value in place, did not make it
    # again; it made only what the killed run had not come to (the push's other
    # PUT, if the stalled one was not the last). No request was written twice.
    written = [e.path for e in site.writes]
    assert len(written) == len(set(written)), written
    assert len(written) >= 1
    lines = [line for line in survivor.log_lines() if line.get("event") == "run"]
    assert [line["unit"] for line in lines] == ["mappings/shop.yaml"]
    assert lines[0]["writes"] == len(written) - 1


def test_a_run_whose_message_is_lost_is_counted_failed_and_asked_for_again(
    site: SandboxServer, tmp_path: Path
) -> None:
    from redis import Redis

    # A run timeout of 3 s (0.05m): a run handed out that no worker reports started or
    # over within 9 s (its visibility timeout of 6 s and a margin of 3 s) is lost.
    with (
        on_redis(site, tmp_path, run_timeout="0.05m", workers=0) as running,
        Redis.from_url(REDIS_URL) as redis,
    ):
        serve = running.serve
        first = serve.api.post("/api/sync", json={"unit": "mappings/shop.yaml"}).json()
        # No worker is there to take it: its message waits in the broker's queue,
        # which then loses it, as a Redis restarted without its data would.
        wait_for(lambda: redis.llen(running.queue) == 1)
        assert redis.delete(running.queue) == 1
        handed_out = serve.runs()["queue"]
        # A worker comes (in time for the run asked for again, not for the lost one).
        worker = WorkerProcess(serve.config)
        try:
            lost = wait_for(
                lambda: [e for e in serve.log_lines() if e.get("event") == "run_lost"],
                timeout=30,
            )
            # Asked for again: waiting as a busy unit's run waits, BUSY_RETRY later.
            after = wait_for(lambda: (queue := serve.runs()["queue"])["waiting"] and queue)
            failed = samples(serve).get(
                ("okrsync_runs_total", (("outcome", "failed"), ("unit", "mappings/shop.yaml")))
            )
            wait_for(worker.ready, timeout=60)
            (again,) = after["waiting"]
            done = wait_for(lambda: serve.finished_runs(again["id"]), timeout=60, step=0.5)
            wait_for(serve.idle, timeout=30)
            recorded = serve.runs()["runs"]
        finally:
            worker.stop()
    assert [r["id"] for r in handed_out["waiting"]] == [first["run_id"]]
    assert handed_out["running"] == []
    assert [(e["unit"], e["request"], e["level"]) for e in lost] == [
        ("mappings/shop.yaml", first["run_id"], "warning")
    ]
    # Counted failed, and no longer shown as waiting or running: what asked for the
    # run asked for another, with its reasons.
    assert failed == 1.0
    assert after["running"] == []
    assert again["unit"] == "mappings/shop.yaml" and again["id"] != first["run_id"]
    assert again["reasons"] == handed_out["waiting"][0]["reasons"]
    assert [(r["unit"], r["status"]) for r in done] == [("mappings/shop.yaml", "ok")]
    # The lost run never ran anywhere.
    assert [r for r in recorded if r["request"] == first["run_id"]] == []


def test_rabbitmq_carries_runs_to_workers_which_stop_gracefully(
    site: SandboxServer, tmp_path: Path
) -> None:
    require_services(broker=AMQP_URL)
    with fresh_schema() as database:
        config = workspace(tmp_path, site, database, AMQP_URL)
        started = cluster(config, database=database, broker=AMQP_URL, workers=2, concurrency=1)
        with started as running:
            serve, workers = running.serve, running.workers
            site.latency = LATENCY
            ids = serve.api.post("/api/sync", json={}).json()["run_ids"]
            runs = wait_for(lambda: finished(serve, ids), timeout=90, step=0.5)
            ready = serve.http.get("/readyz")
            # SIGTERM while a run is under way: the worker finishes it, then exits 0.
            site.latency = 0.5
            again = serve.api.post("/api/sync", json={"unit": "mappings/shop.yaml"}).json()
            busy = wait_for(
                lambda: next((w for w in workers if w.started_again("mappings/shop.yaml")), None)
            )
            stopped = busy.stop()
            last = wait_for(lambda: serve.finished_runs(again["run_id"]), timeout=60)
        assert ready.status_code == 200
        assert len(runs) == 5
        assert {worker_of(r, workers).name for r in runs} == {w.name for w in workers}
        assert {r["unit"] for r in runs if r["status"] == "failed"} == {"mappings/down.yaml"}
        assert stopped == 0
        assert [(worker_of(r, workers), r["status"]) for r in last] == [(busy, "ok")]


@contextmanager
def serve_in_process(
    site: SandboxServer,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: str,
    *,
    more: int = 0,
) -> Iterator[Any]:
    """The service of ``okrsync serve`` in this process, over a fresh schema and
    ``broker``, with ``more`` units reading SHOP beside the workspace's five."""
    from okrsync.serve.service import build_service

    require_services(broker=REDIS_URL)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with fresh_schema() as database:
        config = workspace(folder, site, database, broker)
        for n in range(more):
            (folder / "mappings" / f"more-{n:02}.yaml").write_text(
                unit_file(f"more-{n}", f"more-{n}-done", "project = SHOP", source="jira", push=None)
            )
        service = build_service(str(config))
        try:
            yield service
        finally:
            service.close(1)


def test_readyz_says_when_the_broker_is_unreachable(
    site: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrsync.serve.app import build_app

    nobody = f"redis://127.0.0.1:{free_port()}/0"
    with serve_in_process(site, tmp_path, monkeypatch, nobody) as service:
        answer = asyncio.run(ask(build_app(service, grace=1), "/readyz"))
    assert answer.status_code == 503
    assert answer.text.startswith(f"the broker {nobody} is unreachable: ")


def test_serve_hands_out_fifty_units_runs_without_a_thread_for_each(
    site: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from redis import Redis

    from okrsync.serve.celery_app import queue_name

    before = set(threading.enumerate())
    # The workspace's 5 units and 45 more: 50, with no worker to take their runs.
    with serve_in_process(site, tmp_path, monkeypatch, REDIS_URL, more=45) as service:
        assert len(service.units) == 50
        for unit in service.units:
            service.queue.submit(unit.unit, "api")
        # All 50 handed out (in the broker's queue, none started): shown waiting, and
        # the only thread serve added for them is the dispatcher.
        queue = queue_name(service.store.identity()[0])
        with Redis.from_url(REDIS_URL) as redis:
            wait_for(lambda: redis.llen(queue) == 50, timeout=30)
            redis.delete(queue)
        assert len(service.queue.waiting()) == 50
        assert service.queue.running() == []
        added = sorted(t.name for t in set(threading.enumerate()) - before)
    assert added == ["okrsync-dispatcher"]
