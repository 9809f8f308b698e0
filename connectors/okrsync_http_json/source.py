"""``HttpJsonSource``: GET a URL, follow a JSON pointer, return the number there.

Redirects are followed only where the settings allow requests (the source's origin or
``allowed_hosts``): the token must never go to a server the configuration did not name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Self

import httpx

from okrsync.connector import Capabilities
from okrsync.errors import ProtocolError, SourceConfigError
from okrsync.http import make_client, shown_url
from okrsync.http_errors import ToolWords, error_for_response, error_for_transport
from okrsync.json_answers import loads_document
from okrsync.secrets import redact
from okrsync_http_json.settings import HttpJsonSettings

# A chain of redirects longer than this is a loop, not a move.
MAX_REDIRECTS = 5

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
            max_answer_bytes=self.settings.max_answer_bytes,
            source=instance,
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
        url = str(self.settings.metric_url(spec))
        document = await self._document(url)
        where = shown_url(url)
        value = resolve_pointer(
            document, spec.pointer, where=where, source=self.instance, metric=name
        )
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise SourceConfigError(
                f"metric {name!r}: {spec.pointer} in {where} holds "
                f"{type(value).__name__}, not a number",
                source=self.instance,
            )
        try:
            number = float(value)
        except ValueError:
            raise SourceConfigError(
                f"metric {name!r}: {spec.pointer} in {where} holds {value!r}, not a number",
                source=self.instance,
            ) from None
        if not math.isfinite(number):
            # JSON has no NaN or Infinity, yet servers send them (and "inf" as text).
            raise SourceConfigError(
                f"metric {name!r}: {spec.pointer} in {where} holds {value!r}, not a finite number",
                source=self.instance,
            )
        return number

    async def _document(self, url: str) -> Any:
        if url not in self._documents:
            response = await self._get(url)
            if response.status_code >= 300:
                raise error_for_response(
                    response,
                    source=self.instance,
                    words=_words(url),
                    base_url=shown_url(url),
                )
            try:
                self._documents[url] = loads_document(response.content)
            except (ValueError, RecursionError):
                raise ProtocolError(
                    f"{redact(url)} did not answer JSON "
                    f"(content type {response.headers.get('content-type', 'unknown')})",
                    source=self.instance,
                ) from None
        return self._documents[url]

    async def _get(self, url: str) -> httpx.Response:
        """GET ``url``, following redirects that stay where requests may go."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = await self._client.get(current)
            except httpx.TransportError as error:
                raise error_for_transport(
                    error, source=self.instance, url=shown_url(current)
                ) from None
            if not response.is_redirect:
                return response
            target = str(response.url.join(response.headers["Location"]))
            refused = self.settings.refusal(target)
            if refused:
                raise SourceConfigError(
                    f"{shown_url(current)} redirects to {shown_url(target)}, which okrsync "
                    f"does not follow: {refused}",
                    source=self.instance,
                )
            current = target
        raise ProtocolError(
            f"{shown_url(url)} redirects more than {MAX_REDIRECTS} times", source=self.instance
        )


def _words(url: str) -> ToolWords:
    """A metric server's failures in the words of its source's settings."""
    return ToolWords(
        httpx.URL(url).host,
        credentials="check the source's token",
        permission="check the token's permissions",
        missing="check the metric's url",
    )


def resolve_pointer(
    document: Any, pointer: str, *, where: str, source: str, metric: str | None = None
) -> Any:
    """RFC 6901: ``/a/0/b``, with ``~1`` for ``/`` and ``~0`` for ``~``. ``metric`` names
    the metric the pointer belongs to in the error."""
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
                (f"metric {metric!r}: " if metric else "")
                + f"JSON pointer {pointer} not found in {where}: nothing at "
                f"{walked or '/'} + {token!r} ({there})",
                source=source,
            )
        walked += "/" + raw
    return current
