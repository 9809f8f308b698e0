"""``GitHubClient``: REST and GraphQL to one GitHub, failures as okrsync errors.

::

    client = GitHubClient(settings, source="github")
    page = await client.get("/search/issues", params={"q": ..., "per_page": 100})
    page.json, page.next_url         # the parsed body and the Link header's rel="next"
    data = await client.graphql(QUERY, {"ids": [...]})   # the "data" object
    await client.post(path, {...}); await client.patch(path, {...})

GETs are conditional: an answer seen before is asked for again with ``If-None-Match``
and its ETag, and a 304 (which costs no quota) hands back the body seen before.

Rate limits (contract 6.1): the primary limit (``x-ratelimit-remaining: 0`` on a 403 or
429) waits for ``x-ratelimit-reset``; a secondary limit (403 or 429 with ``retry-after``)
waits that long; a GraphQL answer with an error of type ``RATE_LIMITED`` (HTTP 200)
waits for the reset too. Waits go through ``okrsync.http.sleep`` and are bounded by the
retry policy's ``max_total_wait``. Other retries (429/5xx, connection failures) are the
shared transport's.
"""

from __future__ import annotations

import json as jsonlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from okrsync import __version__, http
from okrsync.errors import (
    AuthError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QueryError,
    RateLimited,
    ServerError,
    SourceError,
)
from okrsync.http import HttpStats, RetryPolicy, make_client, parse_retry_after
from okrsync.secrets import redact
from okrsync_github.settings import GitHubSettings

__all__ = ["GitHubClient", "Page"]

_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": f"okrsync/{__version__}",
}
# Rate-limit waits for one request, at most.
_LIMIT_ATTEMPTS = 4


@dataclass
class Page:
    json: Any
    next_url: str | None


class GitHubClient:
    """One GitHub (GitHub.com or an Enterprise Server). Call ``aclose`` when done."""

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        source: str = "github",
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.requests = 0
        self.stats = HttpStats()
        self.policy = policy or RetryPolicy(max_attempts=settings.max_attempts)
        token = settings.token.get_secret_value()
        self._http = make_client(
            settings.url,
            headers={**_HEADERS, "Authorization": f"Bearer {token}"},
            timeout=settings.timeout,
            max_connections=settings.concurrency,
            policy=self.policy,
            stats=self.stats,
            transport=transport,
            max_answer_bytes=settings.max_answer_bytes,
            source=source,
        )
        # URL -> (ETag, body) of GET answers, for conditional re-reads.
        self._seen: dict[str, tuple[str, Any]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Page:
        request = self._http.build_request("GET", path, params=params)
        url = str(request.url)
        seen = self._seen.get(url)
        if seen is not None:
            request.headers["If-None-Match"] = seen[0]
        response = await self._send(request)
        if response.status_code == 304 and seen is not None:
            return Page(seen[1], _next_link(response))
        body = _parse(response, self.source)
        if etag := response.headers.get("ETag"):
            self._seen[url] = (etag, body)
        return Page(body, _next_link(response))

    async def post(self, path: str, body: Any) -> Any:
        return _parse(
            await self._send(self._http.build_request("POST", path, json=body)), self.source
        )

    async def patch(self, path: str, body: Any) -> Any:
        return _parse(
            await self._send(self._http.build_request("PATCH", path, json=body)), self.source
        )

    async def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        """The answer's ``data``; ``NOT_FOUND`` and other errors raise (with GitHub's words)."""
        payload = {"query": query, "variables": dict(variables or {})}
        for attempt in range(_LIMIT_ATTEMPTS):
            request = self._http.build_request(
                "POST",
                self.settings.graphql_url,
                json=payload,
                extensions={http.IDEMPOTENT: not query.lstrip().startswith("mutation")},
            )
            response = await self._send(request)
            body = _parse(response, self.source)
            errors = body.get("errors") if isinstance(body, Mapping) else None
            if errors and any(e.get("type") == "RATE_LIMITED" for e in errors):
                if attempt + 1 < _LIMIT_ATTEMPTS:
                    await self._pause(_until_reset(response), response)
                    continue
                raise RateLimited(
                    "GitHub's GraphQL points for this hour are spent; run again after "
                    f"{_reset_label(response)}",
                    source=self.source,
                )
            if errors:
                raise _graphql_error(errors, self.source)
            return body.get("data") if isinstance(body, Mapping) else None
        raise AssertionError("unreachable")

    async def _send(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(_LIMIT_ATTEMPTS):
            self.requests += 1
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                raise ConnectionFailed(
                    f"could not reach {http.shown_url(request.url)}: {type(error).__name__}; "
                    "check the url and the network",
                    source=self.source,
                ) from None
            wait = _limit_wait(response)
            if wait is None or attempt + 1 == _LIMIT_ATTEMPTS:
                break
            await self._pause(wait, response)
        if response.is_success or response.status_code == 304:
            return response
        raise _error_for(response, self.source)

    async def _pause(self, seconds: float, response: httpx.Response) -> None:
        if seconds > self.policy.max_total_wait:
            raise RateLimited(
                f"GitHub's rate limit is spent until {_reset_label(response)}, longer than "
                "okrsync waits; run again then",
                source=self.source,
                status=response.status_code,
            )
        self.stats.slept += seconds
        await http.sleep(seconds)


def _limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait before repeating a request GitHub refused for a rate limit."""
    if response.status_code not in (403, 429):
        return None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if retry_after is not None:
        return max(retry_after, 1.0)  # secondary limit
    if response.headers.get("x-ratelimit-remaining", "").strip() == "0":
        return _until_reset(response)  # primary limit
    return None


def _until_reset(response: httpx.Response) -> float:
    reset = response.headers.get("x-ratelimit-reset", "")
    try:
        return max(float(reset) - time.time(), 1.0)
    except ValueError:
        return 60.0  # GitHub's advice when it does not say: wait a minute


def _reset_label(response: httpx.Response) -> str:
    reset = response.headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(reset)))
    return "a while"


def _next_link(response: httpx.Response) -> str | None:
    link = response.links.get("next")
    return link.get("url") if link else None


def _parse(response: httpx.Response, source: str) -> Any:
    if response.status_code in (204, 304) or not response.content.strip():
        return None
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown").split(";")[0]
        raise ProtocolError(
            f"GitHub answered {redact(response.request.url.path)} with {kind} instead of "
            "JSON; check that the url is GitHub's API (https://HOST/api/v3 on Enterprise Server)",
            source=source,
            status=response.status_code,
        ) from None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    details = [e.get("message", "") for e in body.get("errors", []) if isinstance(e, Mapping)]
    return redact(" ".join([str(body.get("message", "")), *map(str, details)]).strip())


def _error_for(response: httpx.Response, source: str) -> SourceError:
    status = response.status_code
    said = _message(response)
    what = f"{response.request.method} {redact(response.request.url.path)}"
    tail = f" — GitHub: {said}" if said else ""
    if status == 401:
        return AuthError(
            f"GitHub refused the token{tail}; check that the token is valid and not expired",
            source=source,
            status=status,
        )
    if status in (403, 429) and "rate limit" in said.lower():
        return RateLimited(
            f"GitHub's rate limit stopped {what}{tail}", source=source, status=status
        )
    if status == 403:
        return PermissionDenied(
            f"the token may not {what}{tail}; grant it access to the repository "
            "(and Projects for project fields)",
            source=source,
            status=status,
        )
    if status == 404:
        return NotFound(
            f"GitHub has no {redact(response.request.url.path)} the token can see{tail}; "
            "check the repository and issue number",
            source=source,
            status=status,
        )
    if status == 422:
        return QueryError(f"GitHub refused {what}{tail}", source=source, status=status)
    if status >= 500:
        return ServerError(
            f"GitHub answered {status} to {what}; try again later", source=source, status=status
        )
    return ProtocolError(f"GitHub answered {status} to {what}{tail}", source=source, status=status)


def _graphql_error(errors: list[Any], source: str) -> SourceError:
    said = redact("; ".join(str(e.get("message", "")) for e in errors if isinstance(e, Mapping)))
    if any(isinstance(e, Mapping) and e.get("type") == "NOT_FOUND" for e in errors):
        return NotFound(f"GitHub: {said}", source=source)
    if any(
        isinstance(e, Mapping) and e.get("type") in ("FORBIDDEN", "INSUFFICIENT_SCOPES")
        for e in errors
    ):
        return PermissionDenied(f"the token may not read this — GitHub: {said}", source=source)
    return ProtocolError(f"GitHub refused a GraphQL query — GitHub: {said}", source=source)
