"""What happens to a request before a handler sees it: log, faults, latency, auth,
Data Center's rate limit, Cloud's per-issue write limits, and whether the deployment
has that API at all (``dialect``).

This is plain ASGI rather than Starlette middleware because a dropped connection must
close the socket without any response, which only the server's transport can do.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from okrsync_sandbox import dialect, ratelimit
from okrsync_sandbox.faults import ACTING, FaultRule
from okrsync_sandbox.http_errors import NOT_AUTHENTICATED, error_body
from okrsync_sandbox.model import User
from okrsync_sandbox.requestlog import LoggedRequest, is_write
from okrsync_sandbox.state import SandboxState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Gate:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        entry = LoggedRequest(
            method=scope["method"],
            path=scope["path"],
            query=parse_qs(
                scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
            ),
            body=_parse_body(body),
            at=time.time(),
        )
        self.state.log.append(entry)
        delay, rule = self.state.faults.fire(entry.method, entry.path)
        wire = send
        if rule is not None and rule.kind in ACTING:
            # The log shows the site's answer; the client gets it cut short, or late.
            wire = _cutting(send) if rule.kind == "cut" else _stalling(send, rule)

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await wire(message)

        delay += self.state.latency
        if delay > 0:
            await asyncio.sleep(delay)
        answer: Send = logged_send
        if rule is not None:
            entry.fault = rule.kind
            if rule.kind not in ACTING:
                await _answer_fault(rule, send, logged_send, self.state)
                return

        user = self.authenticate(scope)
        if user is None:
            await _send_json(
                answer,
                401,
                error_body([NOT_AUTHENTICATED]),
                {
                    "WWW-Authenticate": 'Basic realm="protected-area"',
                    "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
                },
            )
            return
        entry.account_id = user.account_id
        bucket = self.state.rate_limit
        if bucket is not None:
            allowed, limits = bucket.take(user.account_id)
            if not allowed:
                await _send_raw(answer, 429, ratelimit.PAGE.encode(), _HTML, limits)
                return
            answer = _adding_headers(answer, limits)
        issue_limit = self.state.issue_write_limit
        issue = _issue_written(self.state, entry.method, entry.path)
        if issue_limit is not None and issue is not None:
            wait = issue_limit.take(issue)
            if wait is not None:
                refusal = error_body(["Rate limit exceeded."])
                await _send_json(answer, 429, refusal, issue_limit.headers(wait))
                return
        if not dialect.serves(self.state, entry.path):
            # Jersey's answer for a path no resource serves, as on a real site.
            await _send_json(answer, 404, error_body([f"null for uri: {_url(scope)}"]))
            return
        if dialect.refuses(self.state, entry.method, entry.path):
            # What Jersey (and most proxies) answer: no body, the methods that do work.
            await _send_raw(answer, 405, b"", "text/plain", {"Allow": "GET,HEAD,OPTIONS"})
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, _replay(body, receive), answer)

    def authenticate(self, scope: Scope) -> User | None:
        header = ""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value.decode("latin-1")
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        for credential in self.state.credentials:
            if scheme == "basic" and credential.email is not None:
                try:
                    decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    return None
                # Cloud logs in with the account's email; Data Center with a user name.
                user = self.state.users[credential.account_id]
                login = credential.email if self.state.is_cloud else user.username
                if decoded == f"{login}:{credential.secret}":
                    return user
            elif (
                scheme == "bearer" and credential.email is None and credentials == credential.secret
            ):
                return self.state.users[credential.account_id]
        return None


# A write to one issue: /rest/api/N/issue/{key or id}[/...]; not create, not bulkfetch.
_ISSUE_PATH = re.compile(r"^/rest/api/[23]/issue/([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)(/|$)")


def _issue_written(state: SandboxState, method: str, path: str) -> str | None:
    """The issue a request writes to (its id when it exists: by key or id, one issue)."""
    match = _ISSUE_PATH.match(path)
    if match is None or not is_write(method, path):
        return None
    with state.lock:
        issue = state.issue(match.group(1))
    return str(issue.id) if issue is not None else match.group(1).upper()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, server_receive: Receive) -> Receive:
    """Hand the already-read body to the app, then defer to the server (disconnects)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await server_receive()

    return receive


def _parse_body(body: bytes) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


_HTML = "text/html;charset=UTF-8"
_STALL_TICK = 0.005


def _url(scope: Scope) -> str:
    host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}" + (f"?{query}" if query else "")


def _adding_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


async def _send_json(
    send: Send, status: int, payload: Any, headers: dict[str, str] | None = None
) -> None:
    raw = json.dumps(payload).encode()
    await _send_raw(send, status, raw, "application/json;charset=UTF-8", headers)


async def _send_raw(
    send: Send, status: int, raw: bytes, content_type: str, headers: dict[str, str] | None = None
) -> None:
    pairs = [(b"content-type", content_type.encode()), (b"content-length", str(len(raw)).encode())]
    pairs.extend((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())
    await send({"type": "http.response.start", "status": status, "headers": pairs})
    await send({"type": "http.response.body", "body": raw})


async def _answer_fault(rule: FaultRule, raw_send: Send, send: Send, state: SandboxState) -> None:
    if rule.kind == "drop":
        await _drop(raw_send)
        return
    if rule.kind == "rate_limit" and not state.is_cloud:
        # Data Center: the token bucket's headers, and an HTML page rather than JSON.
        headers = ratelimit.exhausted_headers(state.rate_limit, rule.retry_after)
        await _send_raw(send, 429, ratelimit.PAGE.encode(), _HTML, headers)
        return
    if rule.kind == "rate_limit":
        reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
        headers = {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
            "X-RateLimit-NearLimit": "true",
            "RateLimit-Reason": rule.reason,
        }
        if rule.retry_after is not None:
            headers["Retry-After"] = rule.retry_after
        await _send_json(send, 429, error_body(["Rate limit exceeded."]), headers)
        return
    if rule.status == 500:
        await _send_json(send, 500, error_body(["Internal server error."]))
        return
    # Gateways answer 502/503/504 with HTML, not Jira's JSON.
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(
        rule.status, "Error"
    )
    page = f"<html><body><h1>{rule.status} {reason}</h1></body></html>".encode()
    await _send_raw(send, rule.status, page, "text/html;charset=UTF-8")


def _cutting(send: Send) -> Send:
    """The answer cut short: status, headers and half of the body, then the connection
    closes (an answer without a body closes before its status line)."""
    start: Message | None = None
    closed = False

    async def sending(message: Message) -> None:
        nonlocal start, closed
        if closed:
            return
        if message["type"] == "http.response.start":
            start = message
            return
        body = message.get("body", b"") if message["type"] == "http.response.body" else b""
        if start is not None and body:
            await send(start)
            half = body[: len(body) // 2]
            await send({"type": "http.response.body", "body": half, "more_body": True})
        closed = True
        await _drop(send)

    return sending


def _stalling(send: Send, rule: FaultRule) -> Send:
    """The answer, held back ``rule.seconds`` after the request was handled, or until
    the rule is released."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            deadline = time.monotonic() + rule.seconds
            while not rule.released and time.monotonic() < deadline:
                await asyncio.sleep(_STALL_TICK)
        await send(message)

    return sending


async def _drop(send: Send) -> None:
    """Close the client's connection without a byte of response.

    uvicorn's ``send`` is a bound method of the request cycle, which holds the
    transport; closing it and yielding lets uvicorn see the disconnect and stay quiet.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("sandbox fault: dropped connection")
    transport.close()
    for _ in range(3):
        await asyncio.sleep(0)
