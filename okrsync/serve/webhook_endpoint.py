"""``POST /webhooks/{instance}``: a delivery refused (404 unknown instance, 413 too
large, 401 signature, 400 malformed), recognised as seen (200), or accepted (202) with
one debounced run queued for each unit it concerns."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync.serve.http_parts import MAX_BODY_BYTES, TooLarge, bounded_body, error, in_thread
from okrsync.serve.service import Service
from okrsync.serve.webhooks import (
    MalformedDelivery,
    changed_scope,
    parse_body,
    signature_ok,
    units_concerned,
)

log = logging.getLogger("okrsync.serve")


class WebhookEndpoint:
    def __init__(self, service: Service) -> None:
        self.service = service

    def routes(self) -> list[Route]:
        return [Route("/webhooks/{instance}", self.deliver, methods=["POST"])]

    def _refused(self, instance: str, status: int, why: str) -> Response:
        log.warning("webhook delivery for %s refused: %s", instance, why)
        self.service.metrics.deliveries.labels(instance, "refused").inc()
        return error(status, why)

    async def deliver(self, request: Request) -> Response:
        service = self.service
        instance = request.path_params["instance"]
        known = service.webhooks.get(instance)
        if known is None:
            log.warning("webhook delivery for unknown instance %r refused", instance)
            service.metrics.deliveries.labels("unknown", "refused").inc()
            return error(404, f"no webhooks are configured for instance '{instance}'")
        dialect, secret = known
        try:
            body = await bounded_body(request)
        except TooLarge:
            return self._refused(instance, 413, f"a delivery is at most {MAX_BODY_BYTES} bytes")
        if not signature_ok(secret, body, request.headers.get(dialect.signature_header)):
            why = f"missing or wrong {dialect.signature_header} signature"
            return self._refused(instance, 401, why)
        try:
            document = parse_body(body)
        except MalformedDelivery as problem:
            return self._refused(instance, 400, f"malformed delivery: {problem}")
        if request.headers.get("x-github-event") == "ping":
            return JSONResponse({"pong": True})
        delivery = request.headers.get(dialect.delivery_header)
        if delivery and not await in_thread(
            lambda: service.store.first_delivery(instance, delivery)
        ):
            service.metrics.deliveries.labels(instance, "duplicate").inc()
            return JSONResponse({"duplicate": delivery}, status_code=200)
        scope = changed_scope(dialect, document)
        units = units_concerned(service.units, instance, dialect, scope)
        queued = [
            service.queue.submit(unit, f"webhook {instance}", service.settings.debounce)
            for unit in units
        ]
        service.metrics.deliveries.labels(instance, "accepted").inc()
        log.info(
            "webhook delivery %s for %s (%s): %d units queued",
            delivery or "without id",
            instance,
            scope or "no project named",
            len(queued),
            extra={"fields": {"event": "delivery", "instance": instance, "units": units}},
        )
        return JSONResponse(
            {"delivery": delivery, "scope": scope, "runs": [r.to_dict() for r in queued]},
            status_code=202,
        )
