"""Injected failures: rate limits, server errors, dropped connections, slowness.

A rule matches requests by method and path prefix (or the whole path, ``exact=True``)
and fires a set number of times, then the sandbox answers normally again, which is what
a retry policy must survive.

Most faults answer instead of the site (``rate_limit``, ``server_error``, ``drop``):
the request is not acted on. Two let the site act first, as when a connection fails
after Jira did the work: ``cut`` sends half of the answer and closes the connection,
``stall`` holds the answer back for a while (a client that gives up, or is killed,
never learns what happened).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["rate_limit", "server_error", "drop", "latency", "cut", "stall"]
# Faults after which the site still handles the request.
ACTING = frozenset({"cut", "stall"})


@dataclass
class FaultRule:
    kind: FaultKind
    path_prefix: str = "/"
    method: str | None = None
    times: int = 1
    status: int = 0
    # Header value for 429s; None sends no Retry-After at all (Jira sometimes does that).
    retry_after: str | None = None
    reason: str = "jira-burst-based"
    seconds: float = 0.0  # latency: delay before handling; stall: before answering
    fired: int = 0
    exact: bool = False  # match the whole path, not a prefix
    released: bool = False  # stall: answer now, whatever is left of ``seconds``

    def release(self) -> None:
        """End the stalls of this rule now (the ones under way and any to come)."""
        self.released = True

    @property
    def remaining(self) -> int:
        return max(self.times - self.fired, 0)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.exact and path != self.path_prefix:
            return False
        return path.startswith(self.path_prefix) and self.remaining > 0


class Faults:
    """The fault rules of one sandbox; safe to change from the test thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def rate_limit(
        self,
        path_prefix: str = "/",
        *,
        times: int = 1,
        retry_after: float | str | None = 1,
        method: str | None = None,
        reason: str = "jira-burst-based",
        exact: bool = False,
    ) -> FaultRule:
        """429 ``times`` times; ``retry_after=None`` omits the header, 0 sends ``0``."""
        header = None if retry_after is None else _header_number(retry_after)
        return self.add(
            FaultRule(
                "rate_limit",
                path_prefix,
                method,
                times,
                status=429,
                retry_after=header,
                reason=reason,
                exact=exact,
            )
        )

    def server_error(
        self,
        path_prefix: str = "/",
        *,
        times: int = 1,
        status: int = 503,
        method: str | None = None,
        exact: bool = False,
    ) -> FaultRule:
        return self.add(
            FaultRule("server_error", path_prefix, method, times, status=status, exact=exact)
        )

    def drop(
        self,
        path_prefix: str = "/",
        *,
        times: int = 1,
        method: str | None = None,
        exact: bool = False,
    ) -> FaultRule:
        """Close the connection without sending an HTTP response (nothing is done)."""
        return self.add(FaultRule("drop", path_prefix, method, times, exact=exact))

    def slow(
        self, path_prefix: str = "/", *, seconds: float, times: int = 1, method: str | None = None
    ) -> FaultRule:
        return self.add(FaultRule("latency", path_prefix, method, times, seconds=seconds))

    def cut(
        self,
        path_prefix: str = "/",
        *,
        times: int = 1,
        method: str | None = None,
        exact: bool = False,
    ) -> FaultRule:
        """Handle the request (a write is made), then send the status, the headers and
        half of the body, and close the connection: the client gets no full answer.
        An answer without a body is cut before its status line."""
        return self.add(FaultRule("cut", path_prefix, method, times, exact=exact))

    def stall(
        self,
        path_prefix: str = "/",
        *,
        seconds: float,
        times: int = 1,
        method: str | None = None,
        exact: bool = False,
    ) -> FaultRule:
        """Handle the request (a write is made), then wait ``seconds`` before answering
        (or until ``release()``)."""
        return self.add(
            FaultRule("stall", path_prefix, method, times, seconds=seconds, exact=exact)
        )

    def fire(self, method: str, path: str) -> tuple[float, FaultRule | None]:
        """Consume the rules this request triggers: (added delay, answering rule or None)."""
        delay = 0.0
        answer: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.kind == "latency":
                    rule.fired += 1
                    delay += rule.seconds
                elif answer is None:
                    rule.fired += 1
                    answer = rule
        return delay, answer

    def pending(self) -> list[FaultRule]:
        with self._lock:
            return [rule for rule in self._rules if rule.remaining > 0]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __iter__(self) -> Iterator[FaultRule]:
        with self._lock:
            return iter(list(self._rules))

    def __len__(self) -> int:
        with self._lock:
            return len(self._rules)


def _header_number(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)
