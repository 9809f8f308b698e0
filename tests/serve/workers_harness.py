"""Real ``okrsync worker`` processes beside a real ``okrsync serve``, over PostgreSQL
(a fresh schema per workspace) and a broker on this machine: Redis (a database number
of the tests' own, flushed first) or RabbitMQ.

Each worker runs in a process group of its own, so that a test can SIGKILL all of it
as a machine that dies would be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from serve_harness import ENV, ServeProcess, wait_for

from tests.postgres_schema import PG_URL, libpq
from tests.postgres_schema import fresh_schema as fresh_pg_schema

# A Redis database the other tests do not use. Each test's store has a queue of its
# own there, so tests on one machine never take each other's runs.
REDIS_URL = os.environ.get("OKRSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKER = [sys.executable, "-m", "okrsync.cli"]
AMQP_URL = os.environ.get("OKRSYNC_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def require_services(*, broker: str) -> None:
    """Skip (fail in CI) when PostgreSQL or the broker cannot be reached; outside CI the
    worker tests are skipped anyway: they start several processes."""
    if os.environ.get("CI") != "true":
        pytest.skip(
            "the worker tests start okrsync serve and two okrsync worker processes over "
            "PostgreSQL and Redis/RabbitMQ; set CI=true to run them"
        )
    try:
        with psycopg.connect(libpq(PG_URL), connect_timeout=3):
            pass
    except psycopg.Error as error:
        pytest.fail(f"PostgreSQL at {PG_URL} is unreachable (CI=true): {error}")
    from kombu import Connection

    connection = Connection(broker, connect_timeout=3)
    try:
        connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:
        pytest.fail(f"the broker {connection.as_uri()} is unreachable (CI=true): {error}")
    finally:
        connection.release()


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A store of the test's own: a brand-new schema, dropped afterwards."""
    with fresh_pg_schema("okrsync_workers") as url:
        yield url


def drop_queue(broker: str, name: str) -> None:
    """Delete the runs' queue of a store the test is done with."""
    from kombu import Connection

    with Connection(broker) as connection, suppress(Exception):  # never made
        connection.channel().queue_delete(name)


def use_broker(config: Path, *, database: str, broker: str, extra: str = "") -> None:
    """Point the workspace of ``serve_harness.write_workspace`` at PostgreSQL and the
    broker; ``extra`` is more top-level config."""
    text = config.read_text().replace("database: sqlite:///okrsync.db", f"database: {database}")
    config.write_text(text + f"broker: {broker}\n" + extra)


class WorkerProcess:
    """``okrsync worker --log-format json`` in the workspace, its log in a file."""

    def __init__(self, config: Path, *extra: str) -> None:
        self.folder = config.parent
        self.log_path = self.folder / f"worker-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*WORKER, "--config", str(config), "worker", "--log-format", "json", *extra],
            cwd=self.folder,
            env={**os.environ, **ENV},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.name = f"okrsync-{self.process.pid}@"

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"okrsync worker exited:\n{self.log_text()}")
        return any(line.get("event") == "worker_ready" for line in self.log_lines())

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                with suppress(json.JSONDecodeError):  # a line being written
                    lines.append(json.loads(line))
        return lines

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def started(self, unit: str) -> bool:
        return any(
            line.get("event") == "run_started" and line.get("unit") == unit
            for line in self.log_lines()
        )

    def started_again(self, unit: str) -> bool:
        """Whether the worker started a run of ``unit`` that it has not ended yet."""
        events = [
            line.get("event")
            for line in self.log_lines()
            if line.get("unit") == unit and line.get("event") in ("run_started", "run")
        ]
        return bool(events) and events[-1] == "run_started"

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: the machine died."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            if not self._log.closed:
                self._log.close()


@contextmanager
def cluster(
    config: Path, *, database: str, broker: str, workers: int, concurrency: int
) -> Iterator[Cluster]:
    """``okrsync serve`` and ``workers`` workers on the workspace, started side by side
    (the schema is migrated first, so that they do not all migrate it at once) and
    stopped together with SIGTERM; then the store's queue is deleted."""
    from okrsync.serve.celery_app import queue_name
    from okrsync.store import Store

    with Store.open(database) as store:
        queue = queue_name(store.identity()[0])
    started = [WorkerProcess(config, "--concurrency", str(concurrency)) for _ in range(workers)]
    serve: ServeProcess | None = None
    try:
        serve = ServeProcess(config)
        for worker in started:
            wait_for(worker.ready, timeout=60)
        yield Cluster(serve, started, queue)
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in started:
            worker.stop()
        if serve is not None:
            serve.stop()
        drop_queue(broker, queue)


@dataclass
class Cluster:
    serve: ServeProcess
    workers: list[WorkerProcess]
    queue: str  # the broker's queue of the runs


def worker_of(run: dict[str, Any], workers: list[WorkerProcess]) -> WorkerProcess:
    """The worker a run record names."""
    named = str(run.get("worker") or "")
    found = [w for w in workers if named.startswith(w.name)]
    assert len(found) == 1, f"run {run['id']} names worker {named!r}"
    return found[0]
