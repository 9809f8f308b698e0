"""Jira's HTTP failures, translated into okrsync's error classes with actionable words.

The classes and most messages come from the one map every connector shares
(``okrsync.http_errors``); this module adds what is Jira's own: the explanation in its
bodies, which may be JSON (``errorMessages`` plus ``errors``), HTML (Data Center answers
429 with a page) or empty; the words of its rate limits; the search it removed; and the
paths a site serves nothing at.

A path the site serves nothing at (a 404 about the path itself rather than an issue,
or 405) raises an error that is also a ``NoSuchApi``: the classes and messages stay
those of any 404 or unexpected answer, and a caller with another way to the same data
(``okrsync_jira.fallback``) can tell the two apart.
"""

from __future__ import annotations

import re

import httpx

from okrsync.errors import NotFound, ProtocolError, SourceError
from okrsync.http_errors import (
    ToolWords,
    error_for_transport,
    plain_text,
    short_detail,
)
from okrsync.http_errors import error_for_response as shared_error_for_response
from okrsync.json_answers import loads_answer
from okrsync.secrets import redact

__all__ = ["NoSuchApi", "error_for_response", "error_for_transport", "jira_messages"]

_REMOVED_SEARCH = re.compile(r"/rest/api/[23]/search/?$")
JIRA = ToolWords(
    "Jira",
    credentials="check email and API token (Cloud) or the personal access token (Data Center)",
    permission="grant it the permission (e.g. Browse projects)",
)


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
        body = loads_answer(text) if text.strip() else None
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
        parts.append(plain_text(text))
    return short_detail(parts)


def error_for_response(
    response: httpx.Response, *, source: str, base_url: str, query: bool = False
) -> SourceError:
    """The error to raise for a failed response. ``query``: the request ran a JQL search."""
    status = response.status_code
    path = redact(response.request.url.path)
    detail = jira_messages(response)
    if status == 404 and _no_such_api(response, detail):
        if response.request.url.path.startswith(_cloud_root(base_url)):
            # Data Center has no REST v3 at all: the site was taken for Jira Cloud.
            return _NothingAtPath(
                f"Jira has no {path}: the site looks like Jira Data Center, which only has "
                "REST v2; set the connector's deployment to datacenter, and log in with a "
                "personal access token or a username rather than an email",
                source=source,
                status=status,
            )
        return _as(_NothingAtPath, _shared(response, source, base_url, detail, query))
    if status == 410 and _REMOVED_SEARCH.search(response.request.url.path):
        return ProtocolError(
            f"Jira has removed {path} (410 Gone); this okrsync is too old for the site: "
            "upgrade it to one that searches with /rest/api/3/search/jql",
            source=source,
            status=status,
        )
    error = _shared(response, source, base_url, detail, query)
    return _as(_NoSuchMethod, error) if status == 405 else error


def _shared(
    response: httpx.Response, source: str, base_url: str, detail: str, query: bool
) -> SourceError:
    return shared_error_for_response(
        response,
        source=source,
        words=JIRA,
        base_url=base_url,
        detail=detail,
        query=query,
        limit_reason=_limit_reason(response),
    )


def _as(kind: type[SourceError], error: SourceError) -> SourceError:
    """``error``'s message as a ``kind``, which also marks the path as absent."""
    message = str(error).removeprefix(f"{error.source}: ") if error.source else str(error)
    return kind(message, source=error.source, status=error.status)


def _limit_reason(response: httpx.Response) -> str:
    """Which of Jira's limits was hit, in its words or its admin's settings."""
    reason = response.headers.get("RateLimit-Reason")
    if reason:
        return redact(reason)
    fill = response.headers.get("X-RateLimit-FillRate")
    interval = response.headers.get("X-RateLimit-Interval-Seconds")
    if fill and interval:
        # Data Center's token bucket, as its admin configured it.
        return f"it allows {redact(fill)} requests every {redact(interval)} s per user"
    return ""


def _no_such_api(response: httpx.Response, detail: str) -> bool:
    """A 404 for the path itself (no resource there), not for a missing issue."""
    kind = response.headers.get("Content-Type", "")
    return "null for uri" in detail or not detail or "json" not in kind


def _cloud_root(base_url: str) -> str:
    """The path REST v3 lives under on this site (its url may have a context path)."""
    return httpx.URL(base_url).path.rstrip("/") + "/rest/api/3/"
