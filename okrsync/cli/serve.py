"""``okrsync serve``: the sync service (schedules, webhooks, dashboard, API, health)."""

from __future__ import annotations

from typing import Annotated

import typer

from okrsync.cli.app import command
from okrsync.cli.shell import handle_errors
from okrsync.errors import ConfigError


@command()
def serve(
    ctx: typer.Context,
    listen: Annotated[
        str | None,
        typer.Option("--listen", metavar="HOST:PORT", help="instead of serve.listen"),
    ] = None,
    log_format: Annotated[
        str,
        typer.Option("--log-format", metavar="FORMAT", help="text, or json: one object a line"),
    ] = "text",
    workers: Annotated[
        int, typer.Option("--workers", metavar="N", min=1, max=64, help="units synced at once")
    ] = 4,
    grace: Annotated[
        float,
        typer.Option(
            "--grace", metavar="SECONDS", min=0, help="on SIGTERM, how long running runs may finish"
        ),
    ] = 60.0,
) -> None:
    """Run okrsync as a service: sync every unit on its schedule and on webhooks, and
    serve the dashboard, the API, /healthz, /readyz and /metrics.

    SIGTERM (or Ctrl-C) stops it gracefully: nothing new starts, and the running runs
    finish (for up to --grace seconds; one cut short is completed by the next run of its
    unit, without a second write)."""
    from okrsync.serve.logs import LOG_FORMATS, configure_logging

    if log_format not in LOG_FORMATS:
        raise typer.BadParameter(f"use {' or '.join(LOG_FORMATS)}", param_hint="--log-format")
    with handle_errors(ctx):
        from okrsync.serve.process import serve_forever
        from okrsync.serve.service import build_service
        from okrsync.serve.settings import ServeSettings

        configure_logging(log_format)
        service = build_service(ctx.obj.config, workers=workers)
        settings = service.settings
        if listen is not None:
            try:
                checked = ServeSettings(listen=listen).listen
            except ValueError:
                raise ConfigError(
                    f"--listen {listen!r} is not host:port, such as 127.0.0.1:8400"
                ) from None
            settings = settings.model_copy(update={"listen": checked})
        serve_forever(service, settings.host, settings.port, grace=grace)
