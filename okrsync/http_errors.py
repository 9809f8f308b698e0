"""The one map from a failed HTTP answer to okrsync's error classes, for every connector.

A connector says how its tool is named and how its users fix credentials and
permissions (``ToolWords``), extracts the tool's own explanation from the body (the
``detail``), handles the statuses that mean something special to its tool, and leaves
the rest to ``error_for_response``:

====================================  ===================================
answer                                error
====================================  ===================================
rate-limited (``okrsync.ratelimit``)  ``RateLimited`` (with ``retry_after``)
400, 422 on a query                   ``QueryError``
400, 409, 422 elsewhere               ``SourceConfigError``
401                                   ``AuthError``
403                                   ``PermissionDenied``
404                                   ``NotFound``
5xx                                   ``ServerError``
anything else                         ``ProtocolError``
====================================  ===================================

Rate limits come first: GitHub answers its secondary limits with 403 and its GraphQL
limits with 200, which are no permission problem and no success. Every piece of text
that came from the tool passes through ``okrsync.secrets.redact``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from okrsync import ratelimit
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
from okrsync.ratelimit import DEFAULT_RULES, RateLimitRule, limited, parse_retry_after
from okrsync.secrets import redact

__all__ = [
    "ToolWords",
    "error_for_response",
    "error_for_transport",
    "plain_text",
    "short_detail",
    "with_detail",
]

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_MAX_DETAIL = 300
# How long a wait is still "run again in a moment" rather than a time to name.
_NAMED_WAIT = 120.0


@dataclass(frozen=True)
class ToolWords:
    """How a tool's failures are put to the user.

    ``name``: the tool as users call it (``Jira``, ``GitHub``). ``credentials``: what
    to check after a 401 (``check the token``). ``permission``: how to get a missing
    permission (``grant it the permission (e.g. Browse projects)``). ``missing``: what
    to check after a 404. ``query``: what to check in a query the tool rejected.
    ``hints``: a status's further advice, said after the rest (Redmine's 401:
    ``enable the REST web service in Administration » Settings » API``)."""

    name: str
    credentials: str = "check the connector's token"
    permission: str = "grant it the permission"
    missing: str = "check the key, id or url, and that the account can see it"
    query: str = ""
    hints: Mapping[int, str] = field(default_factory=dict)

    def advice(self, status: int, message: str) -> str:
        """``message`` followed by the status's hint, if the tool has one."""
        hint = self.hints.get(status)
        return f"{message}; {hint}" if hint else message


def plain_text(text: str) -> str:
    """An HTML error page or plain text as one line of words, without the markup."""
    return _SPACES.sub(" ", _TAGS.sub(" ", text)).strip()


def short_detail(parts: list[str]) -> str:
    """The tool's explanation pieces as one redacted line of bounded length."""
    detail = "; ".join(p.strip() for p in parts if p.strip())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 1] + "…"
    return redact(detail)


def with_detail(message: str, detail: str) -> str:
    return f"{message} ({detail})" if detail else message


def error_for_response(
    response: httpx.Response,
    *,
    source: str,
    words: ToolWords,
    base_url: str,
    detail: str = "",
    query: bool = False,
    limit_reason: str = "",
    rate_limits: tuple[RateLimitRule, ...] = DEFAULT_RULES,
) -> SourceError:
    """The error to raise for ``response``, which the tool did not answer with success
    (or answered with a rate limit in disguise). ``query``: the request ran the user's
    native query, so a 400 or 422 is about the query. ``limit_reason``: the tool's own
    words for which limit was hit, when it says."""
    status = response.status_code
    method = response.request.method
    path = redact(response.request.url.path)
    tool = words.name
    detail = redact(detail)
    limit = limited(response, rate_limits)
    if limit is not None:
        reason = limit_reason or redact(limit.reason)
        why = f" ({reason})" if reason else ""
        return RateLimited(
            f"{tool} kept rate-limiting {method} {path}{why}; "
            f"{_when_to_retry(limit.wait)} or lower the connector's concurrency",
            source=source,
            status=status,
            retry_after=limit.wait,
        )
    kind, message = _kind_and_words(status, method, path, words, base_url, query)
    if kind is QueryError:
        reason = "; ".join(p for p in (detail or "no reason given", words.query) if p)
        message, detail = f"{message}: {reason}", ""
    elif kind is AuthError:
        detail = ""  # the tool's words after a 401 only repeat that it refused
    text = with_detail(words.advice(status, message), detail)
    if kind is ServerError:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return ServerError(text, source=source, status=status, retry_after=retry_after)
    return kind(text, source=source, status=status)


def _kind_and_words(
    status: int, method: str, path: str, words: ToolWords, base_url: str, query: bool
) -> tuple[type[SourceError], str]:
    """The error class of a (not rate-limited) failure, and what it says."""
    tool = words.name
    if status in (400, 422) and query:
        return QueryError, f"{tool} rejected the query"
    if status in (400, 409, 422):
        return SourceConfigError, f"{tool} rejected {method} {path}"
    if status == 401:
        credentials = f"{tool} rejected the credentials for {redact(base_url)}"
        return AuthError, f"{credentials}: {words.credentials}"
    if status == 403:
        return PermissionDenied, (
            f"the {tool} account may not {method} {path}; {words.permission} or use another account"
        )
    if status == 404:
        return NotFound, f"{tool} has nothing at {path}; {words.missing}"
    if status >= 500:
        return ServerError, f"{tool} answered {status} to {method} {path}; try again later"
    return ProtocolError, (
        f"{tool} answered {status} to {method} {path}, which okrsync does not expect"
    )


def _when_to_retry(wait: float | None) -> str:
    if wait is None or wait <= _NAMED_WAIT:
        return "run again later"
    until = datetime.fromtimestamp(ratelimit.wall_clock() + wait, UTC)
    return f"run again after {until:%H:%M} UTC"


def error_for_transport(error: httpx.TransportError, *, source: str, url: str) -> SourceError:
    """A request that never got an answer."""
    reason = redact(str(error) or type(error).__name__)
    if isinstance(error, httpx.TimeoutException):
        reason = f"timed out ({reason})" if str(error) else "timed out"
    return ConnectionFailed(
        f"cannot reach {redact(url)}: {reason}; check the url and your network",
        source=source,
    )
