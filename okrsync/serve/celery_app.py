"""The Celery app that carries unit runs from ``okrsync serve`` to ``okrsync worker``.

One task, ``okrsync.run_unit``: the queued ``RunRequest`` as its argument, what the
run did (or that its unit was busy) as its result. The settings are what makes a run
survive its worker:

- late acknowledgement (``task_acks_late``, ``task_reject_on_worker_lost``): a message
  is acknowledged when its run is over, so the run of a worker killed mid-run is
  delivered again, to another worker, which converges (every write is idempotent: one
  is only sent when the tool differs);
- one message at a time per worker thread (prefetch multiplier 1): a worker holds no
  runs it is not running;
- on Redis, a message not acknowledged within the visibility timeout is delivered
  again: it is the run timeout and a margin, so a live run is never handed out twice,
  and a dead worker's is within seconds of the run timeout. RabbitMQ delivers a dead
  worker's messages again as soon as its connection drops;
- a run handed out that no worker starts or finishes within ``lost_after`` (its
  message lost with a broker restarted, say) is counted failed by ``okrsync serve``
  and asked for again, so its unit never stays "running" for good.

Results go back in Redis (with a Redis broker) or over RabbitMQ (``rpc://``): only the
``okrsync serve`` that queued a run waits for its result.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from okrsync.errors import ConfigError
from okrsync.serve.queue import RunRequest, UnitBusy

if TYPE_CHECKING:
    from celery import Celery

    from okrsync.serve.worker import UnitRunner

TASK = "okrsync.run_unit"
# A message may stay unacknowledged this much longer than a run may last: loading the
# project, taking the unit's lock and recording the run. A run timeout shorter than
# this (seconds: tests, tiny projects) is its own margin.
VISIBILITY_MARGIN = 10.0
# Without a run timeout, a run is handed out again after this long.
UNBOUNDED_RUN = 6 * 3600.0
# How often a Redis consumer looks for messages whose worker died (seconds).
RESTORE_INTERVAL = 2

_SCHEMES = {"redis": "redis", "rediss": "redis", "amqp": "amqp", "amqps": "amqp", "pyamqp": "amqp"}


def broker_kind(url: str) -> str:
    """``redis`` or ``amqp``; ``ConfigError`` for any other URL."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    kind = _SCHEMES.get(scheme)
    if kind is None:
        raise ConfigError(
            "broker: expected a redis:// URL (redis://127.0.0.1:6379/0) or an amqp:// URL "
            "(amqp://guest:guest@127.0.0.1:5672//)"
        )
    return kind


def shown_broker(url: str) -> str:
    """``url`` as it may be printed: its password masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


# Threads of one ``okrsync worker``: a run mostly waits for the tools' answers, so a
# few at once keep one process busy without making it compete with itself for a core.
DEFAULT_CONCURRENCY = 4


def _run_seconds(run_timeout_days: float | None) -> float:
    return run_timeout_days * 86400 if run_timeout_days is not None else UNBOUNDED_RUN


def _margin(run_timeout_days: float | None) -> float:
    return min(VISIBILITY_MARGIN, _run_seconds(run_timeout_days))


def visibility_timeout(run_timeout_days: float | None) -> float:
    """Seconds a delivered run may go unacknowledged before Redis hands it out again."""
    return _run_seconds(run_timeout_days) + _margin(run_timeout_days)


def lost_after(run_timeout_days: float | None) -> float:
    """Seconds a handed-out run may go without being started or finished before
    ``okrsync serve`` counts it lost. A run that started ends within the visibility
    timeout; a dead worker's is delivered again by then and started again within one
    more margin, which counts from that start anew."""
    return visibility_timeout(run_timeout_days) + _margin(run_timeout_days)


def queue_name(store_id: str) -> str:
    """The broker's queue of the runs of one store: a serve and its workers share it
    (they share the store), two deployments on one broker never take each other's."""
    return f"okrsync-runs-{store_id}"


def celery_app(broker: str, *, run_timeout_days: float | None, queue: str) -> Celery:
    """The app, for sending runs (serve) or running them (worker) on ``queue``."""
    from celery import Celery

    kind = broker_kind(broker)
    transport = {
        "visibility_timeout": visibility_timeout(run_timeout_days),
        "unacked_restore_interval": RESTORE_INTERVAL,
        "unacked_restore_throttle": 1,
    }
    app = Celery(
        "okrsync",
        broker=broker,
        backend=broker if kind == "redis" else "rpc://",
        set_as_current=False,
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        task_default_queue=queue,
        broker_transport_options=transport if kind == "redis" else {},
        result_backend_transport_options=transport if kind == "redis" else {},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    return app


def register_runs(app: Celery, runner: UnitRunner) -> None:
    """Make ``app`` run the ``okrsync.run_unit`` tasks with ``runner`` (a worker)."""

    @app.task(name=TASK)
    def run_unit(request: dict[str, Any]) -> dict[str, Any]:
        queued = RunRequest(
            unit=str(request["unit"]),
            id=str(request["id"]),
            reasons=[str(r) for r in request.get("reasons", [])],
            queued_at=datetime.fromisoformat(str(request["queued_at"])),
        )
        try:
            outcome = runner(queued)
        except UnitBusy:
            return {"busy": True}
        return {
            "busy": False,
            **outcome.fields(),
            "duration": outcome.duration,
            "by_instance": dict(outcome.requests),
            "throttled": dict(outcome.throttled),
        }
