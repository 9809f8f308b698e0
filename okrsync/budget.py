"""The request budget of a connector instance: how many requests it may send, and when
nobody may send at all.

A connector instance's ``rate_limit`` (``10/s``, ``100/10s``, ``1000/m``) is kept by a
``RequestBudget`` that every request of that instance takes from before it goes out,
and a rate limit the tool answers (a 429's ``Retry-After``) pauses the whole budget.

In one process the budget is a ``LocalBudget``, shared by every client of the instance
in the process. ``okrsync worker`` processes share one budget per instance in Redis
(``share_budgets(url)``): a sliding window of sent requests and a pause, each changed
by one atomic script on Redis's own clock, so ten workers on ten machines together keep
the instance's limit, and a 429 seen by one of them holds back all.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from collections import deque
from typing import TYPE_CHECKING, Protocol

import okrsync.http
from okrsync.http import RateWindow
from okrsync.secrets import redact

if TYPE_CHECKING:
    import redis

__all__ = [
    "LocalBudget",
    "RedisBudget",
    "RequestBudget",
    "budget_for",
    "parse_rate_limit",
    "share_budgets",
    "shared_in",
]

log = logging.getLogger("okrsync.budget")

# Every window is kept this much longer than it says: the tool counts arrivals, and the
# network delays some requests more than others.
MARGIN = 0.25

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_rate_limit(value: object) -> RateWindow:
    """``"10/s"``, ``"100/10s"``, ``"1000/m"``, ``"5/500ms"``; ``ValueError`` otherwise."""
    if isinstance(value, RateWindow):
        return value
    match = _RATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("expected requests per time, such as 10/s, 100/10s or 1000/m")
    count, length, unit = match.groups()
    if int(count) < 1 or float(length or 1) <= 0:
        raise ValueError("a rate limit needs at least 1 request in a positive time")
    return RateWindow(int(count), float(length or 1) * _UNIT_SECONDS[unit])


class RequestBudget(Protocol):
    def wait(self) -> float:
        """Seconds until a request may go; 0 means it may go now, and is counted."""
        ...

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (the tool said it limits us)."""
        ...


class LocalBudget:
    """The budget within one process (any thread, any event loop)."""

    def __init__(self, window: RateWindow | None) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()
        self._resume_at = 0.0

    def wait(self) -> float:
        with self._lock:
            now = okrsync.http.monotonic()  # the HTTP layer's clock, which tests replace
            if self._resume_at > now:
                return self._resume_at - now
            window = self.window
            if window is not None:
                span = window.seconds + MARGIN
                while self._sent and self._sent[0] <= now - span:
                    self._sent.popleft()
                if len(self._sent) >= window.limit:
                    return max(self._sent[0] + span - now, 0.001)
                self._sent.append(now)
            return 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, okrsync.http.monotonic() + seconds)


# KEYS: the window's sorted set of sends, the pause. ARGV: limit (0: none), window in
# milliseconds, this request's member. Answers milliseconds to wait (0: counted, go).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local resume = tonumber(redis.call('GET', KEYS[2]) or '0')
if resume > now then return resume - now end
local limit = tonumber(ARGV[1])
if limit > 0 then
  local span = tonumber(ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
  if redis.call('ZCARD', KEYS[1]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + span - now, 1)
  end
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], span)
end
return 0
"""

# KEYS: the pause. ARGV: milliseconds. Never shortens a pause already longer.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local resume = now + tonumber(ARGV[1])
if resume > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], resume, 'PX', ARGV[1])
end
return 0
"""


class RedisBudget:
    """One instance's budget in Redis, shared by every process that uses the same keys.
    When Redis cannot be reached, the process keeps the budget on its own (and says so
    once) rather than fail the run."""

    def __init__(self, client: redis.Redis, key: str, window: RateWindow | None) -> None:
        self.window = window
        self._keys = [f"{key}:sent", f"{key}:pause"]
        self._take = client.register_script(_TAKE)
        self._pause = client.register_script(_PAUSE)
        self._fallback = LocalBudget(window)
        self._warned = False

    def wait(self) -> float:
        import redis

        limit = self.window.limit if self.window is not None else 0
        span = round(((self.window.seconds if self.window else 0) + MARGIN) * 1000)
        try:
            waited = self._take(keys=self._keys, args=[limit, span, uuid.uuid4().hex])
        except redis.RedisError as error:
            self._unshared(error)
            return self._fallback.wait()
        return int(waited) / 1000

    def pause(self, seconds: float) -> None:
        import redis

        self._fallback.pause(seconds)
        try:
            self._pause(keys=self._keys[1:], args=[max(1, round(seconds * 1000))])
        except redis.RedisError as error:
            self._unshared(error)

    def _unshared(self, error: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "the shared request budget is unreachable (%s): this process keeps its "
                "own until it is back",
                redact(str(error)),
            )


_lock = threading.Lock()
_shared: redis.Redis | None = None
_budgets: dict[tuple[str, str, RateWindow | None], RequestBudget] = {}


def share_budgets(url: str | None) -> None:
    """Keep every instance's budget in the Redis at ``url`` from now on (None: in this
    process only)."""
    global _shared
    with _lock:
        _budgets.clear()
        if url is None:
            _shared = None
            return
        import redis

        _shared = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def shared_in() -> redis.Redis | None:
    """The Redis the budgets are shared in, if they are."""
    return _shared


def budget_for(instance: str, url: str, window: RateWindow | None) -> RequestBudget | None:
    """The budget every client of connector ``instance`` (at ``url``) takes from; None
    when there is none to keep (no rate limit, and nothing shared)."""
    with _lock:
        if _shared is None and window is None:
            return None
        key = (instance, url, window)
        budget = _budgets.get(key)
        if budget is None:
            if _shared is None:
                budget = LocalBudget(window)
            else:
                site = hashlib.sha256(url.encode()).hexdigest()[:12]
                budget = RedisBudget(_shared, f"okrsync:budget:{instance}:{site}", window)
            _budgets[key] = budget
        return budget
