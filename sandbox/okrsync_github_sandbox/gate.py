"""What every request passes through: the log, the added latency, the token, fault
switches, the primary rate limit with its ``x-ratelimit-*`` headers, and ETags (a matching
``If-None-Match`` gets a 304 that costs no quota, as on GitHub)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from okrsync_github_sandbox.requestlog import LoggedRequest
from okrsync_github_sandbox.state import GitHubState

DOCS = "https://docs.github.com/rest"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    encoded: bytes | None = None  # the body as sent, once encoded for its ETag


class Refusal(Exception):
    """An error answer from inside a handler: ``raise Refusal(404, "Not Found")``."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.answer = Answer(status, {"message": message, "documentation_url": DOCS, **extra})


Handler = Callable[[Request, GitHubState, str, Any], Awaitable[Answer]]


def gated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state: GitHubState = request.app.state.github
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        entry = LoggedRequest(
            request.method,
            request.url.path,
            {name: request.query_params.getlist(name) for name in request.query_params},
            body,
            time.time(),
            conditional="if-none-match" in request.headers,
        )
        state.log.append(entry)
        if state.latency > 0:
            await asyncio.sleep(state.latency)
        answer = await _answer(request, state, handler, body, entry)
        entry.status = answer.status
        return _response(state, answer)

    return endpoint


async def _answer(
    request: Request, state: GitHubState, handler: Handler, body: Any, entry: LoggedRequest
) -> Answer:
    login = state.tokens.get(_token(request.headers.get("authorization", "")))
    if login is None:
        return Refusal(401, "Bad credentials").answer
    rule = state.faults.take(request.method, request.url.path)
    if rule is not None:
        entry.fault = rule.kind
        return _faulted(state, rule.kind, rule.status, rule.retry_after)
    if state.budget.spent(time.time()):
        return Refusal(403, f"API rate limit exceeded for user ID {state.users[login]}.").answer
    try:
        with state.lock:
            answer = await handler(request, state, login, body)
    except Refusal as refusal:
        answer = refusal.answer
    if request.method == "GET" and answer.status == 200:
        answer.encoded = _encode(answer.body)
        tag = 'W/"' + hashlib.sha1(answer.encoded).hexdigest() + '"'
        answer.headers["ETag"] = tag
        if request.headers.get("if-none-match") == tag:
            return Answer(304, None, {"ETag": tag})
    state.budget.spend()
    return answer


def _token(header: str) -> str:
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() in ("bearer", "token") else ""


def _faulted(state: GitHubState, kind: str, status: int, retry_after: int) -> Answer:
    if kind == "secondary":
        message = "You have exceeded a secondary rate limit. Please wait a few minutes."
        answer = Refusal(status, message).answer
        answer.headers["retry-after"] = str(retry_after)
        return answer
    if kind == "rate_limited":
        body = {
            "errors": [
                {"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user."}
            ]
        }
        return Answer(200, body, {"x-ratelimit-remaining": "0"})
    return Refusal(status, _MESSAGES.get(status, "Server Error")).answer


# What GitHub says with each status the ``answer`` switch can make it send.
_MESSAGES = {
    401: "Bad credentials",
    403: "Resource not accessible by personal access token",
    404: "Not Found",
    422: "Validation Failed",
}


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def _response(state: GitHubState, answer: Answer) -> Response:
    budget = state.budget
    headers = {
        "x-ratelimit-limit": str(budget.limit),
        "x-ratelimit-remaining": str(budget.remaining),
        "x-ratelimit-reset": str(budget.reset),
        "x-ratelimit-used": str(budget.limit - budget.remaining),
        "x-ratelimit-resource": "core",
        "x-github-api-version-selected": "2022-11-28",
        **answer.headers,
    }
    if answer.status == 304 or answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    return Response(
        answer.encoded if answer.encoded is not None else _encode(answer.body),
        answer.status,
        headers,
        media_type="application/json; charset=utf-8",
    )
