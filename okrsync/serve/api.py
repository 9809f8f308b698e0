"""The API (behind the serve token): ``status --json`` and ``explain --json`` over
HTTP, the recent runs and the queue, and "sync now"."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync import runs
from okrsync.cli.explain import explanation_document
from okrsync.cli.shell import shown_instant
from okrsync.cli.views import status_document
from okrsync.errors import ConfigError
from okrsync.evaluate import Evaluation
from okrsync.insights import insights
from okrsync.serve import dashboard
from okrsync.serve.http_parts import Handler, TooLarge, bounded_body, error, in_thread, too_large
from okrsync.serve.service import Service
from okrsync.units import find_unit

RECENT_RUNS = 15


def evaluation_now(service: Service) -> Evaluation:
    """Every KR as of the latest recorded run, from the store: what explain shows."""
    moment = shown_instant(service.project, service.store, None)
    return runs.evaluate_project(service.project, service.store, moment)


def queue_document(service: Service) -> dict[str, Any]:
    return {
        "waiting": [r.to_dict() for r in service.queue.waiting()],
        "running": [r.to_dict() for r in service.queue.running()],
    }


class InsightsCache:
    """``okrsync insights`` of the service's store, made again only when a cycle is
    closed or re-opened or a run has finished since: back-testing the forecasts
    evaluates every week of every closed cycle, too much for each dashboard refresh."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._document: dict[str, Any] = {}

    def document(self) -> dict[str, Any]:
        store = self.service.store
        closed = store.closed_cycles()
        key = (
            tuple(sorted((label, c.action, c.at.isoformat()) for label, c in closed.items())),
            dashboard.last_finished(store.runs(RECENT_RUNS)),
        )
        with self._lock:
            if key != self._key:
                self._document = insights(self.service.project, store)
                self._key = key
            return self._document


class Api:
    def __init__(self, service: Service, insights: InsightsCache | None = None) -> None:
        self.service = service
        self.insights = insights or InsightsCache(service)

    def routes(self, guard: Callable[[Handler], Handler]) -> list[Route]:
        def route(path: str, handler: Handler, **options: Any) -> Route:
            return Route(path, guard(handler), **options)

        return [
            route("/api/status", self.status),
            route("/api/runs", self.runs),
            route("/api/krs/{kr}", self.kr),
            route("/api/insights", self.insights_document),
            route("/api/sync", self.sync, methods=["POST"]),
        ]

    def _status(self) -> dict[str, Any]:
        service = self.service
        document = status_document(service.project, service.store) or {
            "as_of": None,
            "objectives": [],
            "key_results": [],
        }
        recent = dashboard.runs_document(service.store.runs(RECENT_RUNS), queue_document(service))
        return {**document, "runs": recent["runs"], "queue": recent["queue"]}

    async def status(self, request: Request) -> Response:
        return JSONResponse(await in_thread(self._status))

    async def runs(self, request: Request) -> Response:
        records = await in_thread(lambda: self.service.store.runs(RECENT_RUNS))
        return JSONResponse(dashboard.runs_document(records, queue_document(self.service)))

    async def insights_document(self, request: Request) -> Response:
        """``insights --json``: how well the team estimates, across closed cycles (empty
        lists while none is closed)."""
        return JSONResponse(await in_thread(self.insights.document))

    async def kr(self, request: Request) -> Response:
        kr_id = request.path_params["kr"]
        if not self.service.project.has_kr(kr_id):
            return error(404, f"no key result has the id '{kr_id}'")
        evaluation = await in_thread(lambda: evaluation_now(self.service))
        document = explanation_document(self.service.project, evaluation, kr_id)
        return Response(json.dumps(document, default=str), media_type="application/json")

    async def sync(self, request: Request) -> Response:
        service = self.service
        try:
            given = json.loads(await bounded_body(request) or b"{}")
        except TooLarge:
            return too_large()
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return error(400, 'the body must be JSON: {"unit": FILE} or {}')
        if not isinstance(given, dict) or not isinstance(given.get("unit", ""), str):
            return error(400, 'the body must be {"unit": FILE} or {}')
        try:
            units = (
                [find_unit(service.project, given["unit"])]
                if "unit" in given
                else [u.unit for u in service.units]
            )
        except ConfigError as problem:
            return error(404, str(problem))
        queued = [service.queue.submit(unit, "api") for unit in units]
        answer: dict[str, Any] = {
            "run_ids": [r.id for r in queued],
            "runs": [r.to_dict() for r in queued],
        }
        if len(queued) == 1:
            answer["run_id"] = queued[0].id
        return JSONResponse(answer, status_code=202)
