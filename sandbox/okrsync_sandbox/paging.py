"""Opaque page tokens, bound to the request they continue.

Jira's tokens are opaque and only valid for the query that produced them; a token
from another query, or a mangled one, is a 400 — never a silently wrong page.
"""

from __future__ import annotations

import base64
import hashlib

from okrsync_sandbox.http_errors import bad_request

INVALID_TOKEN = "The provided next page token is invalid or expired."


def _fingerprint(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def make_token(scope: str, offset: int) -> str:
    raw = f"{offset}:{_fingerprint(scope)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str | None, scope: str) -> int:
    """The offset a token points at (0 without a token); 400 if it is not ours."""
    if token is None:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        offset_text, _, fingerprint = base64.urlsafe_b64decode(padded).decode().partition(":")
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(INVALID_TOKEN) from None
    if offset < 0 or fingerprint != _fingerprint(scope):
        raise bad_request(INVALID_TOKEN)
    return offset
