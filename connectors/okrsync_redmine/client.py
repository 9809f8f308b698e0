"""``RedmineClient``: JSON over HTTP to one Redmine site, failures as okrsync errors.

The API key travels in ``X-Redmine-API-Key`` (never in a URL, where logs would keep it).
Redmine serves an unknown key as an anonymous user, with whatever the public may see,
so ``check_key`` asks ``/users/current.json`` (which anonymous users cannot read) before
anything else: a wrong key is an ``AuthError``, never a quietly smaller pull.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from okrsync import __version__
from okrsync.connector_base import SecretHeader
from okrsync.errors import ProtocolError
from okrsync.http import HttpStats, RetryPolicy
from okrsync.json_answers import loads_answer
from okrsync.secrets import redact
from okrsync_redmine.errors import error_for_response, error_for_transport
from okrsync_redmine.settings import RedmineSettings

__all__ = ["RedmineClient"]

_USER_AGENT = f"okrsync/{__version__}"


class RedmineClient:
    """One Redmine site. Call ``aclose`` when done."""

    def __init__(
        self,
        settings: RedmineSettings,
        *,
        source: str = "redmine",
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.base_url = settings.url
        self.requests = 0
        self.stats = HttpStats()
        self.user: Mapping[str, Any] | None = None
        self._http = settings.client(
            source=source,
            stats=self.stats,
            transport=transport,
            policy=policy,
            auth=SecretHeader("X-Redmine-API-Key", settings.token.get_secret_value()),
            headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
        )

    async def check_key(self) -> Mapping[str, Any]:
        """The key's user (asked once); ``AuthError`` when Redmine does not know the key."""
        if self.user is None:
            data = await self.get("/users/current.json")
            user = data.get("user") if isinstance(data, Mapping) else None
            if not isinstance(user, Mapping) or "id" not in user:
                raise ProtocolError(
                    "Redmine answered /users/current.json without a user; check that the url "
                    "points to the Redmine site itself",
                    source=self.source,
                )
            self.user = {"id": user["id"], "login": user.get("login")}
        return self.user

    async def get(
        self,
        path: str,
        params: Mapping[str, Any] | Sequence[tuple[str, str]] | None = None,
        *,
        query: bool = False,
    ) -> Any:
        return await self._request("GET", path, params=params, query=query)

    async def post(self, path: str, json: Any) -> Any:
        return await self._request("POST", path, json=json)

    async def put(self, path: str, json: Any) -> Any:
        return await self._request("PUT", path, json=json)

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"RedmineClient({self.base_url!r}, source={self.source!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, str]] | None = None,
        json: Any = None,
        query: bool = False,
    ) -> Any:
        self.requests += 1
        try:
            # A filter repeats names (``status_id`` twice is valid): pairs keep them.
            given = params.items() if isinstance(params, Mapping) else params or ()
            pairs = tuple((str(name), str(value)) for name, value in given)
            response = await self._http.request(method, path, params=pairs, json=json)
        except httpx.TransportError as error:
            raise error_for_transport(error, source=self.source, url=self.base_url) from None
        if not response.is_success:
            raise error_for_response(
                response, source=self.source, base_url=self.base_url, query=query
            )
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return loads_answer(response.content)
        except (ValueError, RecursionError):
            kind = response.headers.get("Content-Type", "unknown").split(";")[0]
            raise ProtocolError(
                f"Redmine answered {redact(response.request.url.path)} with {kind} instead of "
                "JSON; check that the url points to the Redmine site itself",
                source=self.source,
                status=response.status_code,
            ) from None
