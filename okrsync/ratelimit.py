"""Rate-limit signals: how a tool says "slow down", as small pluggable rules.

Each rule looks at one response and answers ``Limited`` (this answer is a rate limit:
retry it, after ``wait`` seconds when the tool says how long) or None. Tools say it in
different ways, and one response may carry several signals, so the rules are asked in
order and the first that recognises the answer wins:

- ``retry_after_rule``: a 429, or a 403 carrying ``Retry-After`` (GitHub's secondary
  limits), waits what ``Retry-After`` says (or backs off when it says nothing);
- ``reset_rule``: a 403 or 429 with ``X-RateLimit-Remaining: 0`` waits until
  ``X-RateLimit-Reset`` (epoch seconds: GitHub's primary limit);
- ``graphql_rule``: a 200 whose GraphQL ``errors`` hold one of type ``RATE_LIMITED``.

A limit proves the tool did not act on the request, so any method may be repeated.
``hold_after`` tells how long everyone should pause after a *successful* answer that
says the quota is used up (``X-RateLimit-Remaining: 0`` until the epoch reset).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = [
    "DEFAULT_RULES",
    "Limited",
    "RateLimitRule",
    "graphql_rule",
    "hold_after",
    "limited",
    "parse_retry_after",
    "reset_in",
    "reset_rule",
    "retry_after_rule",
    "wall_clock",
]

# A body this long is no GraphQL error answer: do not parse it looking for one.
_GRAPHQL_ERROR_BYTES = 64 * 1024


def wall_clock() -> float:
    """Epoch seconds now: ``X-RateLimit-Reset`` is an epoch instant. Tests replace it."""
    return time.time()


@dataclass(frozen=True)
class Limited:
    """A rate-limited answer. ``wait``: seconds the tool asks for (None: it does not
    say; back off). ``reason``: the tool's words for which limit, for messages."""

    wait: float | None
    reason: str = ""


RateLimitRule = Callable[[httpx.Response, float], Limited | None]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def reset_in(response: httpx.Response, now: float) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` when it is an epoch instant (GitHub's); None
    for other forms (Jira Cloud sends an ISO timestamp next to its ``Retry-After``)."""
    value = response.headers.get("X-RateLimit-Reset", "").strip()
    if not value.isdigit():
        return None
    return max(0.0, int(value) - now)


def _quota_spent(response: httpx.Response) -> bool:
    return response.headers.get("X-RateLimit-Remaining", "").strip() == "0"


def retry_after_rule(response: httpx.Response, now: float) -> Limited | None:
    status = response.status_code
    has_header = "Retry-After" in response.headers
    if status == 429 or (status == 403 and has_header):
        reason = "secondary rate limit" if status == 403 else ""
        return Limited(parse_retry_after(response.headers.get("Retry-After")), reason)
    return None


def reset_rule(response: httpx.Response, now: float) -> Limited | None:
    if response.status_code in (403, 429) and _quota_spent(response):
        wait = reset_in(response, now)
        if wait is not None:
            return Limited(wait, "rate limit quota used up")
    return None


def graphql_rule(response: httpx.Response, now: float) -> Limited | None:
    if response.status_code != 200 or len(response.content) > _GRAPHQL_ERROR_BYTES:
        return None
    if b"RATE_LIMITED" not in response.content:
        return None  # the cheap test first: most answers are data
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return None
    if any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors):
        wait = reset_in(response, now) if _quota_spent(response) else None
        return Limited(wait, "GraphQL rate limit")
    return None


DEFAULT_RULES: tuple[RateLimitRule, ...] = (retry_after_rule, reset_rule, graphql_rule)


def limited(
    response: httpx.Response,
    rules: Sequence[RateLimitRule] = DEFAULT_RULES,
    now: float | None = None,
) -> Limited | None:
    """What the first rule that recognises ``response`` as a rate limit says, or None."""
    at = wall_clock() if now is None else now
    for rule in rules:
        found = rule(response, at)
        if found is not None:
            return found
    return None


def hold_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds everyone should pause after a successful answer that spent the quota
    and says until when (epoch ``X-RateLimit-Reset``); None when it says nothing."""
    if response.status_code >= 400 or not _quota_spent(response):
        return None
    return reset_in(response, wall_clock() if now is None else now)
