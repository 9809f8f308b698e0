"""The connector SDK: everything a connector author needs, and nothing else.

A connector type is a class registered in the ``okrsync.connectors`` entry point group
of its package (``[project.entry-points."okrsync.connectors"] mytool =
"okrsync_mytool:MyToolConnector"``). It declares what it can do and how it is set up::

    class MyToolConnector:
        settings_model = MyToolSettings          # a ConnectorSettings subclass
        capabilities = Capabilities(items=True, push=frozenset({"field"}),
                                    history=frozenset({TrackedField.STATUS}))

        def __init__(self, instance: str, settings: Mapping[str, Any]) -> None: ...
        async def __aenter__(self) -> Self: ...
        async def __aexit__(self, *exc_info: object) -> None: ...
        def pull(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]: ...
        async def read(self, target: PushTarget) -> Any: ...
        async def write(self, target: PushTarget, value: Any) -> WriteReceipt: ...

        @classmethod                             # optional: links to items in the tool
        def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
            return item_link(settings.get("url"), "tickets", key)

``HttpConnector`` does the part every HTTP connector shares (settings loaded, one
client opened and closed, each pull's requests counted): a subclass names its
``settings_model`` and ``client_type`` and writes ``pull_events``, ``read`` and
``write``; ``SecretHeader`` sends a credential header kept out of reprs. A tool that
keeps a pushed value in a form of its own (a whole number) says so with ``WritesAs``;
``SeenAnswer`` is a GET answer kept for conditional re-reads across runs.
``HttpConnector.metadata`` reads what the tool's set-up is once, kept across the runs
of a long-lived process; ``StaleMetadata`` says a kept answer missed something.

Its HTTP goes through ``make_client`` (retries, rate limits, bounds), pages are followed
with a paginator, failures become the error classes below through
``error_for_response`` with the tool's ``ToolWords``. ``item_url`` is optional: it
turns an item's key into the item's web page (``item_link`` builds one safely), which
explain, the report and the JSON outputs show; without it an item has no link.
``okrsync.testing`` is the conformance kit that proves a connector. The guide is
``docs/connectors.md``.

Everything not exported here is okrsync's own and may change without notice.
"""

from __future__ import annotations

from okrsync.connector import (
    Capabilities,
    Connector,
    MetricSource,
    OnlineChecker,
    PullBatch,
    PullDone,
    PullRequest,
    PushTarget,
    PushWhat,
    SeenAnswer,
    WriteReceipt,
    WritesAs,
)
from okrsync.connector_base import ClientOptions, ConnectorClient, HttpConnector, SecretHeader
from okrsync.connector_settings import ConnectorSettings, parse_duration
from okrsync.errors import (
    AnswerTooLarge,
    AuthError,
    ConnectionFailed,
    FieldNotFound,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QueryError,
    RateLimited,
    ServerError,
    SourceConfigError,
    SourceError,
    StaleMetadata,
    TransientError,
)
from okrsync.http import IDEMPOTENT, HttpStats, KeyedPacer, RateWindow, RetryPolicy, make_client
from okrsync.http_errors import ToolWords, error_for_response, error_for_transport
from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField
from okrsync.links import item_link
from okrsync.paging import GraphQLCursorPaginator, LinkPaginator, Paginator, pages
from okrsync.ratelimit import Limited, RateLimitRule, parse_retry_after

__all__ = [
    "IDEMPOTENT",
    "AnswerTooLarge",
    "AuthError",
    "Capabilities",
    "Change",
    "ClientOptions",
    "ConnectionFailed",
    "Connector",
    "ConnectorClient",
    "ConnectorSettings",
    "FieldNotFound",
    "GraphQLCursorPaginator",
    "HttpConnector",
    "HttpStats",
    "Item",
    "ItemType",
    "KeyedPacer",
    "Limited",
    "LinkPaginator",
    "MetricSource",
    "NotFound",
    "OnlineChecker",
    "Paginator",
    "PermissionDenied",
    "ProtocolError",
    "PullBatch",
    "PullDone",
    "PullRequest",
    "PushTarget",
    "PushWhat",
    "QueryError",
    "RateLimitRule",
    "RateLimited",
    "RateWindow",
    "RetryPolicy",
    "SecretHeader",
    "SeenAnswer",
    "ServerError",
    "SourceConfigError",
    "SourceError",
    "Sprint",
    "StaleMetadata",
    "StatusCategory",
    "ToolWords",
    "TrackedField",
    "TransientError",
    "WriteReceipt",
    "WritesAs",
    "error_for_response",
    "error_for_transport",
    "item_link",
    "make_client",
    "pages",
    "parse_duration",
    "parse_retry_after",
]
