"""Switches that make the sandbox answer as GitHub does under pressure.

Each rule matches a method and a path prefix and fires ``times`` times, then the
sandbox answers normally again:

- ``secondary``: GitHub's secondary rate limit, a 403 (or 429) with ``retry-after``;
- ``answer``: any status with GitHub's words for it (a 5xx, a 401...);
- ``rate_limited``: a GraphQL answer with HTTP 200 and an error of type ``RATE_LIMITED``
  (with ``x-ratelimit-remaining: 0`` and the reset), as GitHub sends when the points
  of the hour are spent.

The primary limit needs no rule: set ``state.budget.remaining`` to 0 and ``reset``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["secondary", "answer", "rate_limited"]


@dataclass
class FaultRule:
    kind: FaultKind
    path_prefix: str = "/"
    method: str | None = None
    times: int = 1
    status: int = 0
    retry_after: int = 1
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix) and self.fired < self.times


class Faults:
    """Thread-safe: the tests add rules while the server thread takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def secondary(
        self, path_prefix: str = "/", *, times: int = 1, status: int = 403, retry_after: int = 1
    ) -> FaultRule:
        return self.add(
            FaultRule("secondary", path_prefix, None, times, status, retry_after=retry_after)
        )

    def answer(
        self, status: int, path_prefix: str = "/", *, times: int = 1, method: str | None = None
    ) -> FaultRule:
        return self.add(FaultRule("answer", path_prefix, method, times, status))

    def rate_limited(self, *, times: int = 1) -> FaultRule:
        return self.add(FaultRule("rate_limited", "/graphql", "POST", times, 200))

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule that matches, counted as fired."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.fired += 1
                    return rule
        return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
