"""``GitHubClient``: REST and GraphQL to one GitHub, failures as okrsync errors.

::

    client = GitHubClient(settings, source="github")
    page = await client.get("/search/issues", params={"q": ..., "per_page": 100})
    page.json, page.next_url           # the parsed body and the Link header's rel="next"
    async for body in client.get_all(path, params): ...   # every page, through Link
    data = await client.graphql(QUERY, {"ids": [...]})   # the answer's "data"
    await client.post(path, {...}); await client.patch(path, {...})

GETs are conditional: an answer seen before is asked for again with ``If-None-Match``
and its ETag, and a 304 (which costs no quota) hands back the body seen before. The
answers seen (``seen``) outlive the process when a pull hands them to the store.

Rate limits (contract 6.1) are the shared transport's (``okrsync.ratelimit``): the
primary limit waits for ``x-ratelimit-reset``, a secondary limit (403 or 429 with
``retry-after``) that long, a GraphQL ``RATE_LIMITED`` error in a 200 for the reset.
Failures go through the shared status-to-error map with GitHub's words.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from okrsync import __version__
from okrsync.connector import SeenAnswer
from okrsync.errors import NotFound, PermissionDenied, ProtocolError, SourceError
from okrsync.http import IDEMPOTENT, HttpStats, RetryPolicy
from okrsync.http_errors import ToolWords, error_for_response, error_for_transport, short_detail
from okrsync.json_answers import loads_answer
from okrsync.paging import LinkPaginator, pages
from okrsync.secrets import redact
from okrsync_github.settings import GitHubSettings

__all__ = ["GITHUB_WORDS", "GitHubClient", "Page"]

_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": f"okrsync/{__version__}",
}
GITHUB_WORDS = ToolWords(
    name="GitHub",
    credentials="check that the token is valid and not expired",
    permission="grant the token access to the repository (and Projects for project fields)",
)


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
        token = settings.token.get_secret_value()
        self._http = settings.client(
            source=source,
            stats=self.stats,
            transport=transport,
            policy=policy,
            headers={**_HEADERS, "Authorization": f"Bearer {token}"},
        )
        # GET answers by URL, for conditional re-reads; ``asked``: every URL got, in
        # order, so that a pull can tell which answers are its own.
        self.seen: dict[str, SeenAnswer] = {}
        self.asked: list[str] = []

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, query: bool = False
    ) -> Page:
        """``query``: the request runs the user's search, so a 422 is about the query."""
        request = self._http.build_request("GET", path, params=params)
        url = str(request.url)
        self.asked.append(url)
        seen = self.seen.get(url)
        if seen is not None:
            request.headers["If-None-Match"] = seen.etag
        response = await self._send(request, query=query)
        next_url = LinkPaginator()(response)
        if response.status_code == 304 and seen is not None:
            return Page(self._parse_body(seen.body, response), next_url)
        body = self._parse(response)
        if etag := response.headers.get("ETag"):
            self.seen[url] = SeenAnswer(etag, response.content)
        return Page(body, next_url)

    async def get_all(
        self, path: str, params: Mapping[str, Any] | None = None, *, query: bool = False
    ) -> AsyncIterator[Any]:
        """The body of every page, following ``Link: rel="next"``."""

        async def fetch(url: str | None) -> Page:
            return await (
                self.get(url, query=query) if url else self.get(path, params, query=query)
            )

        async for page in pages(fetch, lambda page: page.next_url, source=self.source):
            yield page.json

    async def post(self, path: str, body: Any) -> Any:
        return self._parse(await self._send(self._http.build_request("POST", path, json=body)))

    async def patch(self, path: str, body: Any) -> Any:
        return self._parse(await self._send(self._http.build_request("PATCH", path, json=body)))

    async def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        """The answer's ``data``; ``NOT_FOUND`` and other errors raise with GitHub's words."""
        reads = not query.lstrip().startswith("mutation")
        request = self._http.build_request(
            "POST",
            self.settings.graphql_url,
            json={"query": query, "variables": dict(variables or {})},
            # A query changes nothing: repeating it after a dropped connection is harmless.
            extensions={IDEMPOTENT: reads},
        )
        response = await self._send(request)
        body = self._parse(response)
        errors = body.get("errors") if isinstance(body, Mapping) else None
        if errors:
            raise _graphql_error(response, errors, self.source, self.settings.url)
        return body.get("data") if isinstance(body, Mapping) else None

    async def _send(self, request: httpx.Request, *, query: bool = False) -> httpx.Response:
        self.requests += 1
        try:
            response = await self._http.send(request)
        except httpx.TransportError as error:
            raise error_for_transport(error, source=self.source, url=self.settings.url) from None
        if response.is_success or response.status_code == 304:
            return response
        raise error_for_response(
            response,
            source=self.source,
            words=GITHUB_WORDS,
            base_url=self.settings.url,
            detail=_detail(response),
            query=query,
        )

    def _parse(self, response: httpx.Response) -> Any:
        if response.status_code in (204, 304):
            return None
        return self._parse_body(response.content, response)

    def _parse_body(self, content: bytes, response: httpx.Response) -> Any:
        """``content``: the body of ``response``, or of the answer it confirmed (304)."""
        if not content.strip():
            return None
        try:
            return loads_answer(content)
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown").split(";")[0]
            raise ProtocolError(
                f"GitHub answered {redact(response.request.url.path)} with {kind} instead of "
                "JSON; check that the url is GitHub's API (https://HOST/api/v3 on Enterprise "
                "Server)",
                source=self.source,
                status=response.status_code,
            ) from None


def _detail(response: httpx.Response) -> str:
    """GitHub's own explanation: ``message`` and each of ``errors[].message``."""
    try:
        body = loads_answer(response.content)
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    errors = body.get("errors")
    listed = [str(e.get("message", "")) for e in errors or [] if isinstance(e, Mapping)]
    return short_detail([str(body.get("message", "")), *listed])


def _graphql_error(
    response: httpx.Response, errors: list[Any], source: str, base_url: str
) -> SourceError:
    kinds = {e.get("type") for e in errors if isinstance(e, Mapping)}
    said = short_detail([str(e.get("message", "")) for e in errors if isinstance(e, Mapping)])
    if "RATE_LIMITED" in kinds:  # still limited after every retry the transport made
        return error_for_response(
            response, source=source, words=GITHUB_WORDS, base_url=base_url, detail=said
        )
    if "NOT_FOUND" in kinds:
        return NotFound(f"GitHub has nothing there ({said})", source=source)
    if kinds & {"FORBIDDEN", "INSUFFICIENT_SCOPES"}:
        return PermissionDenied(
            f"the token may not read this ({said}); {GITHUB_WORDS.permission}", source=source
        )
    return ProtocolError(f"GitHub refused a GraphQL query ({said})", source=source)
