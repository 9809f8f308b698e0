"""What the endpoints share: bounded request bodies, JSON errors, blocking work off the
event loop, and the token check around a handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from okrsync.serve.auth import Guard

Handler = Callable[[Request], Awaitable[Response]]
# Far above any delivery Jira or GitHub sends (they cap theirs well below), far below
# what a hostile sender could make the service hold in memory.
MAX_BODY_BYTES = 4 * 1024 * 1024


class TooLarge(Exception):
    """The body is longer than ``MAX_BODY_BYTES``; the rest was not read."""


async def bounded_body(request: Request) -> bytes:
    """The request's body, or ``TooLarge`` past ``MAX_BODY_BYTES`` (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise TooLarge
    return bytes(body)


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def too_large() -> JSONResponse:
    return error(413, f"a request is at most {MAX_BODY_BYTES} bytes")


async def in_thread(function: Callable[[], Any]) -> Any:
    """Store reads and evaluation block: they run on a thread, never on the loop."""
    return await anyio.to_thread.run_sync(function)


def guarded(guard: Guard, handler: Handler, *, page: bool = False) -> Handler:
    """``handler`` for requests with the serve token; others get 401 (a page: the login)."""

    async def check(request: Request) -> Response:
        if guard.allows(request):
            return await handler(request)
        if page:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(
            {"error": "this needs the serve token: Authorization: Bearer TOKEN"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    return check
