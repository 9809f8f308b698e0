"""Every request the sandbox answered, so tests can count calls and inspect writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# POSTs that only read: Jira uses POST for searches and bulk fetches with large bodies.
_READ_ONLY_POSTS = (
    "/rest/api/3/search",
    "/rest/api/2/search",
    "/rest/api/3/issue/bulkfetch",
    "/rest/api/2/issue/bulkfetch",
    "/rest/api/3/changelog/bulkfetch",
    "/rest/api/2/changelog/bulkfetch",
    "/rest/api/3/jql/parse",
)


def is_write(method: str, path: str) -> bool:
    """Whether a request changes data (a POST that searches or fetches does not)."""
    method = method.upper()
    if method in ("PUT", "DELETE", "PATCH"):
        return True
    if method != "POST":
        return False
    return not path.startswith(_READ_ONLY_POSTS)


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any  # parsed JSON, the raw text if it was not JSON, or None
    at: float  # time.time() when the request arrived
    status: int | None = None  # None: the connection was dropped without a response
    fault: str | None = None  # the kind of injected fault that answered, if any
    account_id: str | None = None  # who was authenticated

    @property
    def params(self) -> dict[str, str]:
        """Query parameters with their last value (most have one)."""
        return {name: values[-1] for name, values in self.query.items() if values}

    @property
    def is_write(self) -> bool:
        return is_write(self.method, self.path)


class RequestLog:
    """Thread-safe: the server thread appends while the test thread reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, method: str | None = None, path_prefix: str = "") -> list[LoggedRequest]:
        with self._lock:
            snapshot = list(self._entries)
        return [
            e
            for e in snapshot
            if (method is None or e.method == method.upper()) and e.path.startswith(path_prefix)
        ]

    def count(self, method: str | None = None, path_prefix: str = "") -> int:
        return len(self.entries(method, path_prefix))

    def writes(self) -> list[LoggedRequest]:
        return [e for e in self.entries() if e.is_write]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries())

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            return self._entries[index]
