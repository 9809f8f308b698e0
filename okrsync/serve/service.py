"""The service as one object: the project, the store, the queue with its worker, the
scheduler and the metrics, built from the config and checked before anything listens.

Without ``broker:`` the runs run on threads of ``okrsync serve``; with it they are handed
to ``okrsync worker`` processes (``CeleryQueue``), over a PostgreSQL store they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.project import Project, load_project
from okrsync.serve.auth import Guard
from okrsync.serve.cron import Schedule
from okrsync.serve.metrics import ServeMetrics
from okrsync.serve.queue import InProcessQueue, RunQueue
from okrsync.serve.scheduler import Scheduler
from okrsync.serve.settings import ServeSettings
from okrsync.serve.webhooks import Dialect, dialect_of
from okrsync.serve.worker import UnitRunner
from okrsync.store import Store
from okrsync.units import UnitProject, unit_names


@dataclass
class Service:
    project: Project
    settings: ServeSettings
    store: Store
    queue: RunQueue
    scheduler: Scheduler
    metrics: ServeMetrics
    guard: Guard
    units: list[UnitProject]
    # Connector instance -> (how it sends deliveries, its secret).
    webhooks: dict[str, tuple[Dialect, str]]
    started: datetime

    def close(self, grace: float) -> bool:
        """Stop scheduling, let the running runs finish (up to ``grace`` seconds);
        True when none was cut short."""
        self.scheduler.stop()
        finished = self.queue.close(grace)
        self.store.close()
        return finished


def _required(project: Project, settings: ServeSettings) -> str:
    """The serve token; ``ConfigError`` naming what is missing."""
    if project.serve_unset:
        first = project.serve_unset[0]
        raise ConfigError(
            f"okrsync serve cannot start: {first.message} at {first.file}:{first.line}:"
            f"{first.column}; set it and start again"
        )
    if settings.token is None or not settings.token.get_secret_value():
        raise ConfigError(
            f"okrsync serve needs serve.token in {project.config_file} (the Bearer token "
            "of the dashboard and the API), e.g. token: ${OKRSYNC_SERVE_TOKEN}"
        )
    return settings.token.get_secret_value()


def is_postgresql(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


def broker_of(project: Project, command: str) -> str | None:
    """The ``broker:`` URL, or None; ``ConfigError`` when it is set but the store is not
    one the workers can share, or it is no broker URL."""
    from okrsync.serve.celery_app import broker_kind

    broker = project.config.broker
    url = broker.get_secret_value().strip() if broker is not None else ""
    if not url:
        return None
    broker_kind(url)
    password = urlsplit(url).password
    if password:
        secrets.register(password)  # never in a message, a log line or the store
    if not is_postgresql(project.database_url):
        raise ConfigError(
            f"{command} with broker: needs a PostgreSQL store (database: "
            "postgresql+psycopg://...): okrsync serve and every okrsync worker share it, "
            "and a SQLite file cannot be shared across machines"
        )
    return url


def _webhooks(project: Project, settings: ServeSettings) -> dict[str, tuple[Dialect, str]]:
    found = {}
    for name, hook in settings.webhooks.items():
        instance = project.connector(name)  # an unknown name: ConfigError with close matches
        dialect = dialect_of(instance.type)
        if dialect is None:
            raise ConfigError(
                f"serve.webhooks.{name}: connector instance '{name}' is of type "
                f"'{instance.type}', which sends no webhooks (Jira and GitHub do); it is "
                "synced on the schedule"
            )
        secret = hook.secret.get_secret_value()
        if not secret:
            raise ConfigError(f"serve.webhooks.{name}.secret is empty; set a secret")
        found[name] = (dialect, secret)
    return found


def build_service(config: str | None, *, workers: int = 4) -> Service:
    """Everything ``okrsync serve`` runs; ``ConfigError`` for anything that keeps it
    from starting, before it listens."""
    project = load_project(config)
    settings = project.config.serve
    token = _required(project, settings)
    broker = broker_of(project, "okrsync serve")
    webhooks = _webhooks(project, settings)
    units = [UnitProject(project, name) for name in unit_names(project)]
    schedules = {}
    for unit in units:
        expression = unit.pulled_files()[0].schedule or settings.schedule
        if expression is not None:
            schedules[unit.unit] = Schedule(expression, project.timezone)
    store = Store.open(project.database_url)
    if not store.reads_alongside_writes:
        store.close()
        raise ConfigError(
            "okrsync serve needs a database file or PostgreSQL: an in-memory SQLite store "
            "is one connection, which runs side by side cannot share"
        )
    metrics = ServeMetrics(store.latest_results)
    queue: RunQueue
    if broker is None:
        queue = InProcessQueue(UnitRunner(config, store, metrics), workers=workers)
    else:
        from okrsync.serve.celery_app import celery_app, lost_after, queue_name
        from okrsync.serve.celery_queue import CeleryQueue

        queue_of_store = queue_name(store.identity()[0])
        run_timeout = project.config.run_timeout
        app = celery_app(broker, run_timeout_days=run_timeout, queue=queue_of_store)
        queue = CeleryQueue(app, metrics, lost_after=lost_after(run_timeout))
    return Service(
        project=project,
        settings=settings,
        store=store,
        queue=queue,
        scheduler=Scheduler(schedules, queue),
        metrics=metrics,
        guard=Guard(token),
        units=units,
        webhooks=webhooks,
        started=datetime.now().astimezone(),
    )
