"""Keep secrets out of everything okrsync prints, logs or stores.

Every secret value resolved from the environment is registered here; ``redact`` masks
all registered values in any text that came from outside (error bodies, URLs, tracebacks)
before that text reaches a message, a log line or the store.
"""

from __future__ import annotations

import threading

MASK = "********"
_lock = threading.Lock()
_secrets: set[str] = set()


def register(value: str) -> None:
    """Remember a secret so that ``redact`` masks it. Very short values are ignored,
    because masking them would garble ordinary text."""
    if len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
