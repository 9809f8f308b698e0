"""The sandbox as an ASGI application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from okrsync_sandbox import (
    api_agile,
    api_bulk,
    api_comments,
    api_issues,
    api_meta,
    api_properties,
    api_search,
    api_search_dc,
)
from okrsync_sandbox.gate import Gate, Receive, Scope, Send
from okrsync_sandbox.http_errors import JiraError, error_body, error_response
from okrsync_sandbox.state import SandboxState


class SandboxApp(Starlette):
    """Starlette behind the gate (log, faults, auth), which must see uvicorn's own send."""

    def __init__(self, state: SandboxState) -> None:
        routes = [
            *api_meta.routes,
            *api_search.routes,
            *api_search_dc.routes,
            *api_bulk.routes,
            *api_properties.routes,
            *api_issues.routes,
            *api_comments.routes,
            *api_agile.routes,
        ]
        super().__init__(
            routes=routes,
            exception_handlers={
                JiraError: _jira_error,
                HTTPException: _http_error,
                Exception: _crash,
            },
        )
        self.state.sandbox = state
        self.sandbox = state
        self._gate = Gate(self._starlette, state)

    async def _starlette(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._gate(scope, receive, send)


def create_app(state: SandboxState) -> Starlette:
    return SandboxApp(state)


async def _jira_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JiraError)
    return error_response(exc)


async def _crash(request: Request, exc: Exception) -> Response:
    # A sandbox bug still answers in Jira's shape; the server logs the traceback.
    return JSONResponse(error_body(["Internal server error."]), 500)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        # Jersey's answer for a path no resource serves.
        return JSONResponse(error_body([f"null for uri: {request.url}"]), 404)
    return Response(status_code=exc.status_code, headers=exc.headers)
