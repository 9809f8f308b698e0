"""``JiraClient``: JSON over HTTP to one Jira site, failures as okrsync errors.

API (stable; the push side builds on it)::

    client = JiraClient(settings, source="jira")   # or JiraClient.from_mapping(...)
    async with client:
        data = await client.get("/rest/api/3/field", params={...})
        data = await client.post("/rest/api/3/search/jql", {...}, query=True, idempotent=True)
        data = await client.put("/rest/api/3/issue/OKR-1/properties/okrsync", {...})
        await client.delete("/rest/api/3/issue/OKR-1/comment/10001")
    client.requests      # logical requests made (retries not included)
    client.stats         # okrsync.http.HttpStats: attempts on the wire, retries, slept
    await client.detect_deployment()   # asks /serverInfo once, if the settings cannot tell
    client.is_cloud      # Cloud (REST v3, ADF) or Data Center (REST v2, wiki markup)
    client.api_root      # "/rest/api/3" or "/rest/api/2"
    client.absent_apis   # paths the site turned out to lack (okrsync_jira.fallback)

Every method returns the parsed JSON body, or ``None`` for an empty body (204). Errors:
``okrsync.errors`` classes via ``okrsync_jira.errors`` (``query=True`` turns a 400 into
``QueryError``). Retries, pacing and the concurrency bound come from ``okrsync.http``;
``post`` retries a dropped connection only when ``idempotent=True``. Writes to one issue
are spaced to stay under Jira Cloud's per-issue write limits (``ISSUE_WRITE_LIMITS``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any, Self

import httpx

from okrsync import __version__
from okrsync.connector_base import SecretHeader
from okrsync.errors import ProtocolError
from okrsync.http import IDEMPOTENT, HttpStats, KeyedPacer, RateWindow, RetryPolicy
from okrsync.json_answers import loads_answer
from okrsync.secrets import redact
from okrsync_jira.errors import error_for_response, error_for_transport
from okrsync_jira.settings import JiraSettings

__all__ = ["ISSUE_WRITE_LIMITS", "SERVER_INFO_PATH", "JiraClient", "issue_written"]

_USER_AGENT = f"okrsync/{__version__}"
# v2 is served by Cloud and Data Center alike, so it can ask which one a site is.
SERVER_INFO_PATH = "/rest/api/2/serverInfo"
# Jira Cloud allows 20 writes per 2 s and 100 per 30 s to one issue (edits, comments,
# properties alike); more answer 429 with RateLimit-Reason ``jira-per-issue-on-write``.
ISSUE_WRITE_LIMITS = (RateWindow(20, 2.0), RateWindow(100, 30.0))
_WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
# The site may sit under a context path (Data Center: https://host/jira/rest/...).
_ISSUE_PATH = re.compile(r"/rest/api/[23]/issue/([^/]+)")
# An issue key (PROJECT-123) or id; other names under /issue/ (bulkfetch, picker,
# createmeta...) are not issues.
_ISSUE_REF = re.compile(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+")


def issue_written(request: httpx.Request) -> str | None:
    """The issue a request writes to (upper-cased key or id), or None: the key the
    per-issue write limits count against."""
    if request.method not in _WRITE_METHODS:
        return None
    match = _ISSUE_PATH.search(request.url.path)
    if match is None or not _ISSUE_REF.fullmatch(match.group(1)):
        return None
    return match.group(1).upper()


class JiraClient:
    """One Jira site. Use as an async context manager, or call ``aclose``."""

    def __init__(
        self,
        settings: JiraSettings,
        *,
        source: str = "jira",
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.base_url = settings.url
        self.requests = 0
        self.stats = HttpStats()
        token = settings.token.get_secret_value()
        login = settings.email or settings.username
        # An email (Cloud) or username: Basic; else a personal access token: Bearer.
        auth: httpx.Auth = (
            httpx.BasicAuth(login, token)
            if login
            else SecretHeader("Authorization", f"Bearer {token}")
        )
        # Paths this site answered as absent (404 for the path itself, or 405): learnt
        # once, so that later requests go straight to another way to the same data.
        self.absent_apis: set[str] = set()
        self._detected: bool | None = None
        self._detecting: asyncio.Lock | None = None
        self._http = settings.client(
            source=source,
            stats=self.stats,
            transport=transport,
            policy=policy,
            auth=auth,
            headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
            pacer=KeyedPacer(ISSUE_WRITE_LIMITS, issue_written),
        )

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "jira",
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
    ) -> JiraClient:
        settings = JiraSettings.load(data, instance=source)
        return cls(settings, source=source, transport=transport, policy=policy)

    @property
    def is_cloud(self) -> bool:
        """The detected deployment, else what the settings say or suggest."""
        return self._detected if self._detected is not None else self.settings.is_cloud

    @property
    def api_root(self) -> str:
        return "/rest/api/3" if self.is_cloud else "/rest/api/2"

    def settle_deployment(self, is_cloud: bool) -> None:
        """What an earlier ``detect_deployment`` of the same site found."""
        self._detected = is_cloud

    async def detect_deployment(self) -> bool:
        """Whether the site is Jira Cloud; asks ``/serverInfo`` once when the settings
        cannot tell (``deployment: auto`` and a token alone on a non-Atlassian host)."""
        if not self.settings.needs_detection:
            return self.is_cloud
        if self._detecting is None:
            self._detecting = asyncio.Lock()
        async with self._detecting:
            if self._detected is None:
                info = await self.get(SERVER_INFO_PATH)
                if not isinstance(info, Mapping):
                    raise ProtocolError(
                        "Jira's server info is not a JSON object; check that the url points "
                        "to a Jira site",
                        source=self.source,
                    )
                # Cloud says "Cloud"; Data Center and Server say "Server" (or nothing).
                self._detected = str(info.get("deploymentType") or "").lower() == "cloud"
        return self._detected

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, query: bool = False
    ) -> Any:
        return await self._request("GET", path, params=params, query=query)

    async def post(
        self, path: str, json: Any = None, *, query: bool = False, idempotent: bool = False
    ) -> Any:
        return await self._request("POST", path, json=json, query=query, idempotent=idempotent)

    async def put(self, path: str, json: Any = None) -> Any:
        return await self._request("PUT", path, json=json)

    async def delete(self, path: str) -> Any:
        return await self._request("DELETE", path)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"JiraClient({self.base_url!r}, source={self.source!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        query: bool = False,
        idempotent: bool = False,
    ) -> Any:
        self.requests += 1
        try:
            response = await self._http.request(
                method,
                path,
                params=_clean_params(params),
                json=json,
                extensions={IDEMPOTENT: True} if idempotent else None,
            )
        except httpx.TransportError as error:
            raise error_for_transport(error, source=self.source, url=self.base_url) from None
        if response.is_success:
            return _parse(response, source=self.source)
        raise error_for_response(response, source=self.source, base_url=self.base_url, query=query)


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    cleaned: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            cleaned[name] = "true" if value else "false"
        else:
            cleaned[name] = value
    return cleaned


def _parse(response: httpx.Response, *, source: str) -> Any:
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return loads_answer(response.content)
    except RecursionError:
        raise ProtocolError(
            f"Jira answered {redact(response.request.url.path)} with JSON nested too deeply "
            "to read; check that the url points to the Jira site itself",
            source=source,
            status=response.status_code,
        ) from None
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown").split(";")[0]
        path = redact(response.request.url.path)
        raise ProtocolError(
            f"Jira answered {path} with {kind} instead of JSON; check that the url points to "
            "the Jira site itself (not a login page or a proxy)",
            source=source,
            status=response.status_code,
        ) from None
