"""The HTTP endpoints of ``okrsync serve`` (section 9 of the mapping language):
webhooks, health, metrics, the API and the dashboard."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import anyio
from prometheus_client import CONTENT_TYPE_LATEST
from rich.console import Console
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from okrsync import runs
from okrsync.cli.explain import explanation_document, show_explanation
from okrsync.cli.shell import shown_instant
from okrsync.cli.views import status_document
from okrsync.errors import ConfigError
from okrsync.report import build_report
from okrsync.secrets import redact
from okrsync.serve import dashboard
from okrsync.serve.auth import COOKIE, SESSION_HOURS
from okrsync.serve.service import Service
from okrsync.serve.webhooks import (
    MalformedDelivery,
    changed_scope,
    parse_body,
    signature_ok,
    units_concerned,
)
from okrsync.units import find_unit

log = logging.getLogger("okrsync.serve")

Handler = Callable[[Request], Awaitable[Response]]
RECENT_RUNS = 15
# Far above any delivery Jira or GitHub sends (they cap theirs well below), far below
# what a hostile sender could make the service hold in memory.
MAX_BODY_BYTES = 4 * 1024 * 1024


class _TooLarge(Exception):
    pass


async def _bounded_body(request: Request) -> bytes:
    """The request's body, or ``_TooLarge`` past ``MAX_BODY_BYTES`` (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


# The runs still running may take this long to finish when the service is stopped.
DEFAULT_GRACE = 60.0


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def build_app(service: Service, *, grace: float = DEFAULT_GRACE) -> Starlette:
    """The ASGI app; starting it starts the scheduler, stopping it lets runs finish."""

    def guarded(handler: Handler, *, page: bool = False) -> Handler:
        async def check(request: Request) -> Response:
            if service.guard.allows(request):
                return await handler(request)
            if page:
                return RedirectResponse("/login", status_code=303)
            return JSONResponse(
                {"error": "this needs the serve token: Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )

        return check

    async def in_thread(function: Callable[[], Any]) -> Any:
        return await anyio.to_thread.run_sync(function)

    # --- webhooks -----------------------------------------------------------------------

    async def webhook(request: Request) -> Response:
        instance = request.path_params["instance"]
        known = service.webhooks.get(instance)
        if known is None:
            log.warning("webhook delivery for unknown instance %r refused", instance)
            service.metrics.deliveries.labels("unknown", "refused").inc()
            return _error(404, f"no webhooks are configured for instance '{instance}'")
        dialect, secret = known
        try:
            body = await _bounded_body(request)
        except _TooLarge:
            log.warning(
                "webhook delivery for %s refused: larger than %d bytes", instance, MAX_BODY_BYTES
            )
            service.metrics.deliveries.labels(instance, "refused").inc()
            return _error(413, f"a delivery is at most {MAX_BODY_BYTES} bytes")
        if not signature_ok(secret, body, request.headers.get(dialect.signature_header)):
            log.warning("webhook delivery for %s refused: missing or wrong signature", instance)
            service.metrics.deliveries.labels(instance, "refused").inc()
            return _error(401, f"missing or wrong {dialect.signature_header} signature")
        try:
            document = parse_body(body)
        except MalformedDelivery as error:
            log.warning("webhook delivery for %s refused: %s", instance, error)
            service.metrics.deliveries.labels(instance, "refused").inc()
            return _error(400, f"malformed delivery: {error}")
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

    # --- health and metrics -------------------------------------------------------------

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        problem = await in_thread(service.store.problem)
        if problem is not None:
            return PlainTextResponse(redact(problem) + "\n", status_code=503)
        return PlainTextResponse("ready\n")

    async def metrics(request: Request) -> Response:
        text = await in_thread(service.metrics.text)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    # --- the API ------------------------------------------------------------------------

    def queue_document() -> dict[str, Any]:
        return {
            "waiting": [r.to_dict() for r in service.queue.waiting()],
            "running": [r.to_dict() for r in service.queue.running()],
        }

    def status_now() -> dict[str, Any]:
        document = status_document(service.project, service.store) or {
            "as_of": None,
            "objectives": [],
            "key_results": [],
        }
        runs_part = dashboard.runs_document(service.store.runs(RECENT_RUNS), queue_document())
        return {**document, "runs": runs_part["runs"], "queue": runs_part["queue"]}

    async def api_status(request: Request) -> Response:
        return JSONResponse(await in_thread(status_now))

    async def api_runs(request: Request) -> Response:
        records = await in_thread(lambda: service.store.runs(RECENT_RUNS))
        return JSONResponse(dashboard.runs_document(records, queue_document()))

    def evaluation_now() -> Any:
        moment = shown_instant(service.project, service.store, None)
        return runs.evaluate_project(service.project, service.store, moment)

    async def api_kr(request: Request) -> Response:
        kr_id = request.path_params["kr"]
        if not service.project.has_kr(kr_id):
            return _error(404, f"no key result has the id '{kr_id}'")
        evaluation = await in_thread(evaluation_now)
        document = explanation_document(service.project, evaluation, kr_id)
        return Response(
            json.dumps(document, default=str), media_type="application/json", status_code=200
        )

    async def api_sync(request: Request) -> Response:
        try:
            given = json.loads(await _bounded_body(request) or b"{}")
        except _TooLarge:
            return _error(413, f"a request is at most {MAX_BODY_BYTES} bytes")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return _error(400, 'the body must be JSON: {"unit": FILE} or {}')
        if not isinstance(given, dict) or not isinstance(given.get("unit", ""), str):
            return _error(400, 'the body must be {"unit": FILE} or {}')
        try:
            units = (
                [find_unit(service.project, given["unit"])]
                if "unit" in given
                else [u.unit for u in service.units]
            )
        except ConfigError as error:
            return _error(404, str(error))
        queued = [service.queue.submit(unit, "api") for unit in units]
        answer: dict[str, Any] = {
            "run_ids": [r.id for r in queued],
            "runs": [r.to_dict() for r in queued],
        }
        if len(queued) == 1:
            answer["run_id"] = queued[0].id
        return JSONResponse(answer, status_code=202)

    # --- the dashboard ------------------------------------------------------------------

    def live_parts() -> tuple[str | None, str, int | None]:
        document = status_document(service.project, service.store)
        report = (
            None if document is None else build_report(service.project, service.store, document)
        )
        records = service.store.runs(RECENT_RUNS)
        fragment = dashboard.main_fragment(
            report, dashboard.runs_section(records, service.project.timezone)
        )
        return report, fragment, dashboard.last_finished(records)

    async def home(request: Request) -> Response:
        report, fragment, last = await in_thread(live_parts)
        return HTMLResponse(dashboard.page(report, fragment, last))

    async def main_part(request: Request) -> Response:
        _report, fragment, _last = await in_thread(live_parts)
        return HTMLResponse(fragment)

    async def explain_text(request: Request) -> Response:
        kr_id = request.path_params["kr"]
        if not service.project.has_kr(kr_id):
            return PlainTextResponse(f"no key result has the id '{kr_id}'\n", status_code=404)
        evaluation = await in_thread(evaluation_now)
        console = Console(file=io.StringIO(), width=100, markup=False, emoji=False)
        show_explanation(console, service.project, evaluation, kr_id)
        pushes = _pushes(service, kr_id)
        return PlainTextResponse(redact(console.file.getvalue() + pushes))  # type: ignore[attr-defined]

    async def login_form(request: Request) -> Response:
        return HTMLResponse(dashboard.login_page())

    async def login(request: Request) -> Response:
        # The form is urlencoded: parsed here, without a multipart parser to install.
        try:
            form = parse_qs((await _bounded_body(request)).decode("utf-8", "replace"))
        except _TooLarge:
            return _error(413, f"a request is at most {MAX_BODY_BYTES} bytes")
        given = (form.get("token") or [""])[0]
        if not given or not service.guard.token_ok(given):
            log.warning("a login with a wrong token was refused")
            return HTMLResponse(dashboard.login_page(failed=True), status_code=401)
        answer = RedirectResponse("/", status_code=303)
        answer.set_cookie(
            COOKIE,
            service.guard.session(),
            max_age=SESSION_HOURS * 3600,
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return answer

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

    routes = [
        Route("/webhooks/{instance}", webhook, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/api/status", guarded(api_status)),
        Route("/api/runs", guarded(api_runs)),
        Route("/api/krs/{kr}", guarded(api_kr)),
        Route("/api/sync", guarded(api_sync), methods=["POST"]),
        Route("/", guarded(home, page=True)),
        Route("/dashboard/main", guarded(main_part)),
        Route("/dashboard/explain/{kr}", guarded(explain_text)),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _pushes(service: Service, kr_id: str) -> str:
    """The KR's pushes as its latest recorded result has them."""
    _as_of, krs, _objectives = service.store.latest_results()
    for result in krs:
        if result.kr_id == kr_id:
            pushes = result.data.get("pushes") or []
            lines = [
                f"  {p.get('to')} {p.get('target')} {p.get('what')}: "
                f"{p.get('old')} -> {p.get('new')}"
                for p in pushes
                if isinstance(p, dict)
            ]
            stale = result.data.get("stale")
            head = "\npushes of the latest run:" if lines else "\nthe latest run pushed nothing new"
            return "\n".join([head, *lines, *([f"stale: {stale}"] if stale else [])]) + "\n"
    return "\nno result recorded yet\n"
