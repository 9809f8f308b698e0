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

What a connector reads about its tool's structure goes through ``metadata(what,
load)``: read once per connector, and kept across the runs of a long-lived process
under the rule of ``okrsync.kept_metadata``. A connector that meets something a kept
answer does not know raises ``StaleMetadata`` (or the tool answers ``FieldNotFound``,
``NotFound``): a pull, or the work given to ``refreshing``, is then done once more with
every answer read again. ``reused(what)`` tells whether an answer came from an earlier
run (only then can an unknown value mean the answer is stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from typing import Any, ClassVar, Protocol, Self, TypedDict, TypeVar, Unpack, cast

import httpx

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.connector_settings import ConnectorSettings
from okrsync.errors import FieldNotFound, NotFound, StaleMetadata
from okrsync.http import RetryPolicy
from okrsync.kept_metadata import kept_metadata, settings_key
from okrsync.secrets import MASK

__all__ = ["ClientOptions", "ConnectorClient", "HttpConnector", "SecretHeader"]

T = TypeVar("T")

# What may mean that an answer about the tool's structure is out of date: something
# the answer does not know, or the tool refusing a request built from it.
_MOVED = (StaleMetadata, FieldNotFound, NotFound)


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
        self._metadata: dict[str, Any] = {}
        self._reused: set[str] = set()
        self._metadata_lock = asyncio.Lock()
        self._kept = kept_metadata()
        self._settings_key = settings_key(self.settings) if self._kept is not None else ""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.instance!r}, url={self.settings.url!r})"

    async def pull(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        """``pull_events``, with the requests it made (from its first on, what it
        loaded once for later pulls too) in its ``PullDone``. A pull that fails on
        something an answer kept from an earlier run may not know is made once more
        with fresh answers; batches it had passed on come again (they are upserts)."""
        first = self.client.requests
        try:
            async for event in self._counted(request, first):
                yield event
        except _MOVED:
            if not self.forget_reused():
                raise
            async for event in self._counted(request, first):
                yield event

    async def _counted(
        self, request: PullRequest, first: int
    ) -> AsyncIterator[PullBatch | PullDone]:
        async for event in self.pull_events(request):
            if isinstance(event, PullDone):
                event.requests = self.client.requests - first
            yield event

    def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        """The tool's batches, then exactly one ``PullDone``."""
        raise NotImplementedError

    async def metadata(self, what: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s answer about the tool's structure, read once by this connector
        (concurrent callers wait for the one read), or kept from an earlier run."""
        async with self._metadata_lock:
            if what in self._metadata:
                return cast(T, self._metadata[what])
            key = (self.instance, self._settings_key, what)
            kept = self._kept.get(key) if self._kept is not None else None
            if kept is not None:
                self._reused.add(what)
                value = kept
            else:
                value = await load()
                if self._kept is not None:
                    self._kept.put(key, value)
            self._metadata[what] = value
            return cast(T, value)

    def reused(self, what: str) -> bool:
        """Whether the answer came from an earlier run (it may miss something new)."""
        return what in self._reused

    def forget_reused(self, which: Callable[[str], bool] = lambda what: True) -> bool:
        """Drop the answers (default: every one) taken from an earlier run, here and
        in what the process keeps, so that each is read again; False when there was
        none."""
        chosen = [what for what in self._reused if which(what)]
        for what in chosen:
            self._metadata.pop(what, None)
            self._reused.discard(what)
            if self._kept is not None:
                self._kept.drop((self.instance, self._settings_key, what))
        return bool(chosen)

    async def refreshing(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``, done once more with fresh answers when it failed on something
        an answer kept from an earlier run may not know. For reads and writes that
        the tool refused: nothing was done."""
        try:
            return await work()
        except _MOVED:
            if not self.forget_reused():
                raise
            return await work()
