"""``HttpConnector``: what every HTTP connector type does the same way.

A connector type built on it names its settings model and its client class, and writes
what is its tool's own: ``pull_events`` (the batches and the one ``PullDone`` of a
pull), ``read`` and ``write``. The base loads the settings (``settings_model.load``),
builds the client (``client_type(settings, source=instance, transport=, policy=)``),
closes it when the connector's ``async with`` ends, and counts each pull's requests
into its ``PullDone``::

    class AcmeConnector(HttpConnector):
        settings_model = AcmeSettings
        client_type = AcmeClient
        capabilities = Capabilities(items=True)
        settings: AcmeSettings
        client: AcmeClient

        async def pull_events(self, request):
            ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Mapping
from typing import Any, ClassVar, Protocol, Self, TypedDict, Unpack, cast

import httpx

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.connector_settings import ConnectorSettings
from okrsync.http import RetryPolicy
from okrsync.secrets import MASK

__all__ = ["ClientOptions", "ConnectorClient", "HttpConnector", "SecretHeader"]


class SecretHeader(httpx.Auth):
    """A credential sent in one header of every request (``Authorization: Bearer ...``,
    ``X-Redmine-API-Key``), kept out of reprs and of the client's default headers."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._name] = self._value
        yield request

    def __repr__(self) -> str:
        return f"SecretHeader({self._name!r}, {MASK})"


class ClientOptions(TypedDict, total=False):
    """What tests and callers may give the client besides the settings."""

    transport: httpx.AsyncBaseTransport | None
    policy: RetryPolicy | None


class ConnectorClient(Protocol):
    """The client a connector owns: it counts its requests and is closed once."""

    requests: int

    async def aclose(self) -> None: ...


class HttpConnector:
    """A connector instance owning one HTTP client. Use as an async context manager."""

    settings_model: ClassVar[type[ConnectorSettings]]
    client_type: ClassVar[Callable[..., ConnectorClient]]
    settings: ConnectorSettings
    client: ConnectorClient

    def __init__(
        self,
        instance: str,
        settings: Mapping[str, Any] | ConnectorSettings,
        **options: Unpack[ClientOptions],
    ) -> None:
        self.instance = instance
        model = type(self).settings_model
        self.settings = (
            settings
            if isinstance(settings, model)
            else model.load(cast(Mapping[str, Any], settings), instance=instance)
        )
        self.client = type(self).client_type(self.settings, source=instance, **options)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.instance!r}, url={self.settings.url!r})"

    async def pull(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        """``pull_events``, with the requests it made (from its first on, what it
        loaded once for later pulls too) in its ``PullDone``."""
        first = self.client.requests
        async for event in self.pull_events(request):
            if isinstance(event, PullDone):
                event.requests = self.client.requests - first
            yield event

    def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        """The tool's batches, then exactly one ``PullDone``."""
        raise NotImplementedError
