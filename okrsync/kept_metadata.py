"""What connectors read about their tools' structure, kept across the runs of one
long-lived process.

Every run reads the same few answers about how a tool is set up before it reads any
data: Jira's fields, statuses and boards, a GitHub project's fields, options and
iterations. ``okrsync serve`` and ``okrsync worker`` make many runs in one process, so
they keep those answers (``keep_metadata``) for the connector instances; a one-shot
command keeps none, and each of its connectors reads them once, as it always did.

The freshness rule. A kept answer is used by later runs of the same connector instance
(same name, same settings) for at most ``MAX_AGE`` after it was read, then read again.
Sooner than that, a run that meets something the kept answer does not know (a field a
mapping names, an item's status or option, a sprint) or whose request the tool refuses
as naming something that is not there reads it again at once and does that part of its
work again, once (``okrsync.connector_base.HttpConnector``). So a field, status or
board added in the tool is seen by the first run that meets it; a change that no run
could notice (a field renamed, a status moved to another category) within ``MAX_AGE``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, SecretStr

__all__ = ["MAX_AGE", "KeptMetadata", "keep_metadata", "kept_metadata", "settings_key"]

MAX_AGE = 600.0  # seconds: ten minutes

Key = tuple[str, str, str]  # (instance, settings_key, what)


class KeptMetadata:
    """Answers by (instance, settings, what), each with when it was read. Shared by
    the threads of one process; the answers themselves are never changed once kept."""

    def __init__(
        self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[Key, tuple[float, Any]] = {}

    def get(self, key: Key) -> Any | None:
        """The answer kept for ``key`` while it is fresh, else None."""
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            if self._clock() - found[0] >= self.max_age:
                del self._kept[key]
                return None
            return found[1]

    def put(self, key: Key, value: Any) -> None:
        with self._lock:
            self._kept[key] = (self._clock(), value)

    def drop(self, key: Key) -> None:
        with self._lock:
            self._kept.pop(key, None)


_KEPT: ContextVar[KeptMetadata | None] = ContextVar("okrsync_kept_metadata", default=None)


@contextmanager
def keep_metadata(kept: KeptMetadata) -> Iterator[None]:
    """Connectors opened inside share ``kept`` (their runs' tasks inherit it)."""
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)


def kept_metadata() -> KeptMetadata | None:
    """What connectors opened now share, or None: each keeps its own."""
    return _KEPT.get()


def settings_key(settings: BaseModel) -> str:
    """A digest of every setting, the token included (another token may see another
    structure), that shows none of them."""

    def plain(value: object) -> object:
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    text = json.dumps(settings.model_dump(), sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()
