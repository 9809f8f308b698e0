"""Jira's HTTP failures, translated into okrsync's error classes with actionable words.

Any text that came from Jira passes through ``okrsync.secrets.redact`` before it is put
into a message. Bodies may be JSON (``errorMessages`` plus ``errors``), HTML (Data
Center answers 429 with a page) or empty; all three are handled.

A path the site serves nothing at (a 404 about the path itself rather than an issue,
or 405) raises an error that is also a ``NoSuchApi``: the classes and messages stay
those of any 404 or unexpected answer, and a caller with another way to the same data
(``okrsync_jira.fallback``) can tell the two apart.
"""

from __future__ import annotations

import json
import re

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
from okrsync.secrets import redact

__all__ = ["NoSuchApi", "error_for_response", "error_for_transport", "jira_messages"]

_REMOVED_SEARCH = re.compile(r"/rest/api/[23]/search/?$")
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_MAX_DETAIL = 300


class NoSuchApi(SourceError):
    """Marks the error for a path the site has no API at. Never raised alone: see
    ``_NothingAtPath`` and ``_NoSuchMethod``."""


class _NothingAtPath(NotFound, NoSuchApi):
    """404 about the path itself: no resource serves it (not: no such issue)."""


class _NoSuchMethod(ProtocolError, NoSuchApi):
    """405: the path belongs to another resource, which lacks the method (an older site
    takes ``POST /issue/bulkfetch`` for ``/issue/{issueIdOrKey}``)."""


def jira_messages(response: httpx.Response) -> str:
    """Jira's own explanation of a failure, as one short line ('' when it gave none)."""
    text = response.text
    try:
        body = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        parts.extend(str(m) for m in body.get("errorMessages") or [] if m)
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{name}: {message}" for name, message in errors.items())
        if not parts and isinstance(body.get("message"), str):
            parts.append(body["message"])
    elif text.strip():
        # An HTML error page or plain text: keep its words, not its markup.
        parts.append(_SPACES.sub(" ", _TAGS.sub(" ", text)).strip())
    detail = "; ".join(p.strip() for p in parts if p.strip())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 1] + "…"
    return redact(detail)


def _with_detail(message: str, detail: str) -> str:
    return f"{message} ({detail})" if detail else message


def error_for_response(
    response: httpx.Response, *, source: str, base_url: str, query: bool = False
) -> SourceError:
    """The error to raise for a failed response. ``query``: the request ran a JQL search."""
    status = response.status_code
    method = response.request.method
    path = redact(response.request.url.path)
    detail = jira_messages(response)
    if status == 400:
        if query:
            return QueryError(
                f"Jira rejected the query: {detail or 'no reason given'}",
                source=source,
                status=status,
            )
        return SourceConfigError(
            _with_detail(f"Jira rejected {method} {path}", detail), source=source, status=status
        )
    if status == 401:
        return AuthError(
            f"Jira rejected the credentials for {redact(base_url)}: check email and API token "
            "(Cloud) or the personal access token (Data Center)",
            source=source,
            status=status,
        )
    if status == 403:
        return PermissionDenied(
            _with_detail(
                f"the Jira account may not {method} {path}; grant it the permission "
                "(e.g. Browse projects) or use another account",
                detail,
            ),
            source=source,
            status=status,
        )
    if status == 404:
        no_api = _no_such_api(response, detail)
        if no_api and response.request.url.path.startswith(_cloud_root(base_url)):
            # Data Center has no REST v3 at all: the site was taken for Jira Cloud.
            return _NothingAtPath(
                f"Jira has no {path}: the site looks like Jira Data Center, which only has "
                "REST v2; set the connector's deployment to datacenter, and log in with a "
                "personal access token or a username rather than an email",
                source=source,
                status=status,
            )
        not_found = _NothingAtPath if no_api else NotFound
        return not_found(
            _with_detail(
                f"Jira has nothing at {path}; check the key, id or url, and that the account "
                "can see it",
                detail,
            ),
            source=source,
            status=status,
        )
    if status == 410 and _REMOVED_SEARCH.search(response.request.url.path):
        return ProtocolError(
            f"Jira has removed {path} (410 Gone); this okrsync is too old for the site: "
            "upgrade it to one that searches with /rest/api/3/search/jql",
            source=source,
            status=status,
        )
    if status == 429:
        reason = response.headers.get("RateLimit-Reason")
        why = f" ({redact(reason)})" if reason else ""
        fill, interval = (
            response.headers.get("X-RateLimit-FillRate"),
            response.headers.get("X-RateLimit-Interval-Seconds"),
        )
        if not why and fill and interval:
            # Data Center's token bucket, as its admin configured it.
            why = f" (it allows {redact(fill)} requests every {redact(interval)} s per user)"
        return RateLimited(
            f"Jira kept rate-limiting {method} {path}{why}; run again later or lower "
            "the connector's concurrency",
            source=source,
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return ServerError(
            _with_detail(f"Jira answered {status} to {method} {path}; try again later", detail),
            source=source,
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    unexpected = ProtocolError if status != 405 else _NoSuchMethod
    return unexpected(
        _with_detail(
            f"Jira answered {status} to {method} {path}, which okrsync does not expect", detail
        ),
        source=source,
        status=status,
    )


def _no_such_api(response: httpx.Response, detail: str) -> bool:
    """A 404 for the path itself (no resource there), not for a missing issue."""
    kind = response.headers.get("Content-Type", "")
    return "null for uri" in detail or not detail or "json" not in kind


def _cloud_root(base_url: str) -> str:
    """The path REST v3 lives under on this site (its url may have a context path)."""
    return httpx.URL(base_url).path.rstrip("/") + "/rest/api/3/"


def error_for_transport(error: httpx.TransportError, *, source: str, url: str) -> SourceError:
    """A request that never got an answer."""
    reason = redact(str(error) or type(error).__name__)
    if isinstance(error, httpx.TimeoutException):
        reason = f"timed out ({reason})" if str(error) else "timed out"
    return ConnectionFailed(
        f"cannot reach {redact(url)}: {reason}; check the url and your network",
        source=source,
    )
