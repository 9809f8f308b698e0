"""The ASGI app of ``okrsync serve`` (section 9 of the mapping language): webhooks,
health, metrics, the API and the dashboard, and the service's start and stop."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from okrsync.secrets import redact
from okrsync.serve.api import Api, InsightsCache
from okrsync.serve.http_parts import guarded, in_thread
from okrsync.serve.pages import Pages
from okrsync.serve.service import Service
from okrsync.serve.webhook_endpoint import WebhookEndpoint

log = logging.getLogger("okrsync.serve")

# The runs still running may take this long to finish when the service is stopped.
DEFAULT_GRACE = 60.0


def build_app(service: Service, *, grace: float = DEFAULT_GRACE) -> Starlette:
    """The ASGI app; starting it starts the scheduler, stopping it lets runs finish."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        problem = await in_thread(service.store.problem)
        if problem is None:
            problem = await in_thread(service.queue.problem)
        if problem is not None:
            return PlainTextResponse(redact(problem) + "\n", status_code=503)
        return PlainTextResponse("ready\n")

    async def metrics(request: Request) -> Response:
        text = await in_thread(service.metrics.text)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.scheduler.start()
        log.info("okrsync serve: %d units, listening", len(service.units))
        try:
            yield
        finally:
            log.info("stopping: letting the running runs finish (up to %gs)", grace)
            finished = await in_thread(lambda: service.close(grace))
            if not finished:
                log.warning(
                    "a run was still running when the service stopped: the next run of its "
                    "unit marks it failed and completes it (every write is idempotent)"
                )

    guard = partial(guarded, service.guard)
    insights = InsightsCache(service)  # shared: the API's and the dashboard's
    routes = [
        *WebhookEndpoint(service).routes(),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        *Api(service, insights).routes(guard),
        *Pages(service, insights).routes(guard),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
