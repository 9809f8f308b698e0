"""``okrsync worker``: executes the unit runs ``okrsync serve`` queues on its broker."""

from __future__ import annotations

import logging
import os
import socket
from typing import Annotated

import typer

from okrsync.cli.app import command
from okrsync.cli.shell import handle_errors
from okrsync.errors import ConfigError
from okrsync.serve.celery_app import DEFAULT_CONCURRENCY

log = logging.getLogger("okrsync.worker")


@command()
def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", metavar="N", min=1, max=64, help="units synced at once"),
    ] = DEFAULT_CONCURRENCY,
    log_format: Annotated[
        str,
        typer.Option("--log-format", metavar="FORMAT", help="text, or json: one object a line"),
    ] = "text",
) -> None:
    """Execute the runs okrsync serve queues on the config's broker:, over the shared
    PostgreSQL store; as many workers as you like, on any machines.

    A worker killed mid-run loses nothing: its run is delivered again to another worker
    and converges without a second write. Every connector instance has one request
    budget (rate_limit) that all workers share, in Redis. SIGTERM (or Ctrl-C) stops it
    gracefully: it takes no new run and finishes the ones it is running."""
    from okrsync.serve.logs import LOG_FORMATS, configure_logging

    if log_format not in LOG_FORMATS:
        raise typer.BadParameter(f"use {' or '.join(LOG_FORMATS)}", param_hint="--log-format")
    with handle_errors(ctx):
        from okrsync.budget import share_budgets
        from okrsync.project import load_project
        from okrsync.serve.celery_app import broker_kind, celery_app, queue_name, register_runs
        from okrsync.serve.metrics import ServeMetrics
        from okrsync.serve.service import broker_of
        from okrsync.serve.worker import UnitRunner
        from okrsync.store import Store

        project = load_project(ctx.obj.config)
        broker = broker_of(project, "okrsync worker")
        if broker is None:
            raise ConfigError(
                f"okrsync worker needs broker: in {project.config_file} (redis://HOST:6379/0 "
                "or amqp://USER:PASSWORD@HOST:5672//): the queue okrsync serve hands its "
                "runs to; without it, okrsync serve runs them itself"
            )
        configure_logging(log_format)
        # Celery's warnings (running as root, say) become log lines like the rest.
        logging.captureWarnings(True)
        store = Store.open(project.database_url)
        problem = store.problem()
        if problem is not None:
            store.close()
            raise ConfigError(f"okrsync worker cannot use the store: {problem}")
        if broker_kind(broker) == "redis":
            share_budgets(broker)
        elif any("rate_limit" in settings for settings in project.config.connectors.values()):
            log.warning(
                "with an amqp:// broker each worker keeps the rate_limit budgets on its own: "
                "N workers may send up to N times a rate_limit together; use a redis:// "
                "broker to share them"
            )
        name = f"okrsync-{os.getpid()}@{socket.gethostname()}"
        queue = queue_name(store.identity()[0])
        app = celery_app(broker, run_timeout_days=project.config.run_timeout, queue=queue)
        runner = UnitRunner(ctx.obj.config, store, ServeMetrics(store.latest_results), worker=name)
        register_runs(app, runner)

        def ready(sender: object = None, **_: object) -> None:
            # The event loop wakes at least once a second, so that a SIGTERM is heeded
            # within one (with nothing else scheduled, RabbitMQ's sleeps 10 s at a time).
            hub = getattr(getattr(sender, "controller", None), "hub", None)
            if hub is not None:
                hub.call_repeatedly(1.0, _awake)
            log.info(
                "okrsync worker %s ready",
                name,
                extra={"fields": {"event": "worker_ready", "worker": name}},
            )

        from celery.signals import worker_ready

        worker_ready.connect(ready, weak=False)
        log.info("okrsync worker %s: %d at once", name, concurrency)
        celery_worker = app.Worker(
            hostname=name,
            pool_cls="threads",
            concurrency=concurrency,
            queues=[queue],
            loglevel="INFO",
            quiet=True,
            without_mingle=True,
            without_gossip=True,
            without_heartbeat=True,
        )
        try:
            celery_worker.start()
        finally:
            store.close()
        log.info("okrsync worker %s stopped", name)
        code = celery_worker.exitcode or 0
    if code:
        raise typer.Exit(code)


def _awake() -> None:
    """Nothing to do: the event loop only had to look at its signals."""
