"""Injected failures: rate limits, server errors, dropped connections, slowness.

A rule matches requests by method and path prefix and fires a set number of times,
then the sandbox answers normally again, which is what a retry policy must survive.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["rate_limit", "server_error", "drop", "latency"]


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
    seconds: float = 0.0  # latency rules: delay before answering normally
    fired: int = 0

    @property
    def remaining(self) -> int:
        return max(self.times - self.fired, 0)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
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
            )
        )

    def server_error(
        self,
        path_prefix: str = "/",
        *,
        times: int = 1,
        status: int = 503,
        method: str | None = None,
    ) -> FaultRule:
        return self.add(FaultRule("server_error", path_prefix, method, times, status=status))

    def drop(
        self, path_prefix: str = "/", *, times: int = 1, method: str | None = None
    ) -> FaultRule:
        """Close the connection without sending an HTTP response."""
        return self.add(FaultRule("drop", path_prefix, method, times))

    def slow(
        self, path_prefix: str = "/", *, seconds: float, times: int = 1, method: str | None = None
    ) -> FaultRule:
        return self.add(FaultRule("latency", path_prefix, method, times, seconds=seconds))

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
