"""``HttpJsonSource``: GET a URL, follow a JSON pointer, return the number there."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Self

import httpx

from okrsync.connector import Capabilities
from okrsync.errors import (
    AuthError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    SourceConfigError,
    SourceError,
)
from okrsync.http import make_client, parse_retry_after
from okrsync.secrets import redact
from okrsync_http_json.settings import HttpJsonSettings

__all__ = ["HttpJsonSource", "resolve_pointer"]


class HttpJsonSource:
    """A metric source. Use as an async context manager; ``read_metric(name)``."""

    settings_model = HttpJsonSettings
    capabilities = Capabilities(metrics=True)

    def __init__(
        self,
        instance: str,
        settings: Mapping[str, Any] | HttpJsonSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.instance = instance
        self.settings = (
            settings
            if isinstance(settings, HttpJsonSettings)
            else HttpJsonSettings.load(settings, instance=instance)
        )
        token = self.settings.token
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        self._client = make_client(
            self.settings.url,
            headers=headers,
            timeout=self.settings.timeout,
            max_connections=4,
            transport=transport,
        )
        # Several metrics usually come from one document: fetch each URL once per run.
        self._documents: dict[str, Any] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"HttpJsonSource({self.instance!r}, url={self.settings.url!r})"

    async def read_metric(self, name: str) -> float:
        spec = self.settings.metric(name)
        url = str(self._client.base_url.join(spec.url)) if spec.url else self.settings.url
        document = await self._document(url)
        value = resolve_pointer(document, spec.pointer, where=redact(url), source=self.instance)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise SourceConfigError(
                f"metric {name!r}: {spec.pointer} in {redact(url)} holds "
                f"{type(value).__name__}, not a number",
                source=self.instance,
            )
        try:
            return float(value)
        except ValueError:
            raise SourceConfigError(
                f"metric {name!r}: {spec.pointer} in {redact(url)} holds {value!r}, not a number",
                source=self.instance,
            ) from None

    async def _document(self, url: str) -> Any:
        if url not in self._documents:
            try:
                response = await self._client.get(url)
            except httpx.TransportError as error:
                raise ConnectionFailed(
                    f"cannot reach {redact(url)}: {redact(str(error) or type(error).__name__)}; "
                    "check the url and your network",
                    source=self.instance,
                ) from None
            if response.status_code >= 300:
                raise _error_for(response, url, self.instance)
            try:
                self._documents[url] = json.loads(response.content)
            except (ValueError, RecursionError):
                raise ProtocolError(
                    f"{redact(url)} did not answer JSON "
                    f"(content type {response.headers.get('content-type', 'unknown')})",
                    source=self.instance,
                ) from None
        return self._documents[url]


def _error_for(response: httpx.Response, url: str, source: str) -> SourceError:
    status, shown = response.status_code, redact(url)
    if status == 401:
        return AuthError(f"{shown} rejected the token: check it", source=source, status=status)
    if status == 403:
        return PermissionDenied(
            f"{shown} refused access (403): check the token's permissions",
            source=source,
            status=status,
        )
    if status == 404:
        return NotFound(
            f"{shown} does not exist (404): check the url", source=source, status=status
        )
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        return RateLimited(
            f"{shown} kept rate-limiting; run again later",
            source=source,
            status=status,
            retry_after=retry_after,
        )
    if status >= 500:
        return ServerError(
            f"{shown} answered {status}; try again later",
            source=source,
            status=status,
            retry_after=retry_after,
        )
    return ProtocolError(f"{shown} answered {status}", source=source, status=status)


def resolve_pointer(document: Any, pointer: str, *, where: str, source: str) -> Any:
    """RFC 6901: ``/a/0/b``, with ``~1`` for ``/`` and ``~0`` for ``~``."""
    if pointer == "":
        return document
    current = document
    walked = ""
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            if isinstance(current, dict):
                there = "keys there: " + (", ".join(sorted(map(str, current))[:20]) or "none")
            elif isinstance(current, list):
                there = f"a list of {len(current)}"
            else:
                there = f"a {type(current).__name__}"
            raise SourceConfigError(
                f"JSON pointer {pointer} not found in {where}: nothing at "
                f"{walked or '/'} + {token!r} ({there})",
                source=source,
            )
        walked += "/" + raw
    return current
