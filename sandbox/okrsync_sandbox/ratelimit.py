"""Rate limits: Jira Data Center's token bucket per user, with its HTTP headers, and
Jira Cloud's per-issue write limits (``IssueWriteLimit``).

An admin sets *Max requests* (the bucket's size, ``X-RateLimit-Limit``) and *Requests
allowed* per time interval (``X-RateLimit-FillRate`` tokens every
``X-RateLimit-Interval-Seconds``). Every request of an authenticated user takes a
token; with none left Jira answers 429 with an HTML page, and ``retry-after`` says how
long until the next batch of tokens. The headers come with every response while rate
limiting is on, which it is not by default.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

PAGE = (
    "<!DOCTYPE html><html><head><title>Too many requests - Jira</title></head><body>"
    "<h1>Too many requests</h1><p>You've made too many requests to Jira. "
    "Wait a moment, then try again.</p></body></html>"
)


@dataclass
class TokenBucket:
    """``capacity`` tokens at most; ``fill_rate`` more every ``interval`` seconds."""

    capacity: int = 100
    fill_rate: int = 10
    interval: int = 1
    clock: Callable[[], float] = time.monotonic
    _tokens: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, account_id: str) -> tuple[bool, dict[str, str]]:
        """Spend one of the user's tokens: (allowed, the rate limit headers to send)."""
        with self._lock:
            now = self.clock()
            tokens, since = self._tokens.get(account_id, (self.capacity, now))
            # Tokens arrive in whole batches, one batch per elapsed interval.
            batches = int((now - since) // self.interval)
            if batches:
                tokens = min(self.capacity, tokens + batches * self.fill_rate)
                since += batches * self.interval
            if tokens >= self.capacity:
                since = now  # a full bucket starts its next interval afresh
            allowed = tokens > 0
            if allowed:
                tokens -= 1
            self._tokens[account_id] = (tokens, since)
            # 0 while tokens are left; else the whole seconds until the next batch.
            wait = 0 if tokens else max(math.ceil(since + self.interval - now), 1)
        return allowed, self.headers(tokens, str(wait))

    def headers(self, remaining: int, retry_after: str | None) -> dict[str, str]:
        values = {
            "X-RateLimit-Limit": str(self.capacity),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-FillRate": str(self.fill_rate),
            "X-RateLimit-Interval-Seconds": str(self.interval),
        }
        if retry_after is not None:
            values["retry-after"] = retry_after
        return values


def exhausted_headers(bucket: TokenBucket | None, retry_after: str | None) -> dict[str, str]:
    """The headers of an injected Data Center 429 (``faults.rate_limit``)."""
    return (bucket or TokenBucket()).headers(0, retry_after)


# Jira Cloud: 20 writes per 2 s and 100 per 30 s to any one issue.
CLOUD_ISSUE_WRITES = ((20, 2.0), (100, 30.0))
ISSUE_WRITE_REASON = "jira-per-issue-on-write"


@dataclass
class IssueWriteLimit:
    """At most ``limit`` writes to one issue in any ``seconds``, for every window.

    Writes that were let through count; a write over a limit is refused (429 with
    ``Retry-After``: whole seconds until the oldest write in that window has left it)
    and counted in ``refused``.
    """

    windows: tuple[tuple[int, float], ...] = CLOUD_ISSUE_WRITES
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    _writes: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, issue: str) -> float | None:
        """Count a write to ``issue``: None when allowed, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            writes = self._writes.setdefault(issue, deque())
            longest = max(seconds for _, seconds in self.windows)
            while writes and writes[0] <= now - longest:
                writes.popleft()
            wait = 0.0
            for limit, seconds in self.windows:
                recent = [at for at in writes if at > now - seconds]
                if len(recent) >= limit:
                    wait = max(wait, recent[-limit] + seconds - now)
            if wait > 0:
                self.refused += 1
                return wait
            writes.append(now)
            return None

    def headers(self, wait: float) -> dict[str, str]:
        return {
            "Retry-After": str(max(1, math.ceil(wait))),
            "RateLimit-Reason": ISSUE_WRITE_REASON,
        }
