"""Redmine's HTTP failures as okrsync's error classes, in words a champion can act on.

Redmine explains a refused write as ``{"errors": ["Subject cannot be blank", ...]}``
(422); other failures come with an empty body or an HTML page, whose words are kept
without the markup. Text from Redmine passes through ``redact`` first.
"""

from __future__ import annotations

import httpx

from okrsync.errors import (
    AuthError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QueryError,
    RateLimited,
    ServerError,
    SourceConfigError,
    SourceError,
)
from okrsync.http import parse_retry_after
from okrsync.http_errors import plain_text, short_detail, with_detail
from okrsync.json_answers import loads_answer
from okrsync.secrets import redact

__all__ = ["error_for_response", "error_for_transport", "redmine_messages"]


def redmine_messages(response: httpx.Response) -> str:
    """Redmine's own explanation of a failure, as one short line ('' when none)."""
    text = response.text
    try:
        body = loads_answer(text) if text.strip() else None
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return short_detail([str(message) for message in body["errors"]])
    if "html" in response.headers.get("Content-Type", ""):
        return ""  # a full error page: its words are navigation, not a reason
    return short_detail([plain_text(text)])


def error_for_response(
    response: httpx.Response, *, source: str, base_url: str, query: bool = False
) -> SourceError:
    """The error to raise for a failed response. ``query``: the request ran a filter."""
    status = response.status_code
    method = response.request.method
    path = redact(response.request.url.path)
    detail = redmine_messages(response)
    if status == 401:
        return AuthError(
            f"Redmine at {redact(base_url)} does not know the API key: copy the key from "
            "My account (API access key) into the connector's token, and check that the "
            "REST web service is enabled (Administration » Settings » API)",
            source=source,
            status=status,
        )
    if status == 403:
        return PermissionDenied(
            with_detail(
                f"the Redmine account may not {method} {path}; give it a role with the "
                "permission in the project, or enable the REST web service",
                detail,
            ),
            source=source,
            status=status,
        )
    if status == 404:
        return NotFound(
            f"Redmine has nothing at {path}; check the issue id, project identifier or "
            "query id, and that the account can see it",
            source=source,
            status=status,
        )
    if status in (400, 422):
        if query:
            return QueryError(
                with_detail("Redmine rejected the query", detail or "check its filters"),
                source=source,
                status=status,
            )
        return SourceConfigError(
            with_detail(f"Redmine rejected {method} {path}", detail), source=source, status=status
        )
    if status == 429:
        return RateLimited(
            f"Redmine (or a proxy before it) kept rate-limiting {method} {path}; run again "
            "later or lower the connector's concurrency",
            source=source,
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return ServerError(
            with_detail(f"Redmine answered {status} to {method} {path}; try again later", detail),
            source=source,
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    return ProtocolError(
        with_detail(
            f"Redmine answered {status} to {method} {path}, which okrsync does not expect",
            detail,
        ),
        source=source,
        status=status,
    )


def error_for_transport(error: httpx.TransportError, *, source: str, url: str) -> SourceError:
    """A request that never got an answer."""
    reason = redact(str(error) or type(error).__name__)
    return ConnectionFailed(
        f"cannot reach {redact(url)}: {reason}; check the url and your network", source=source
    )
