"""The serve token guards the dashboard and the API: ``Authorization: Bearer TOKEN``,
or a session cookie that the login form sets after the token was typed in.

The cookie holds its issuing time and an HMAC of it keyed with the token: nothing is
kept on the server, a restart keeps people logged in, and changing the token logs
everybody out. It is Secure, HttpOnly and SameSite=Strict, and lasts ``SESSION_HOURS``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from starlette.requests import Request

COOKIE = "okrsync_session"
SESSION_HOURS = 12


class Guard:
    def __init__(self, token: str) -> None:
        self._token = token.encode()

    def token_ok(self, given: str) -> bool:
        return hmac.compare_digest(self._token, given.encode())

    def session(self, issued: int | None = None) -> str:
        """A new session cookie's value."""
        moment = str(int(time.time()) if issued is None else issued)
        return f"{moment}.{self._mac(moment)}"

    def allows(self, request: Request) -> bool:
        """Whether the request carries the token, or a session cookie still valid."""
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and given:
            return self.token_ok(given.strip())
        cookie = request.cookies.get(COOKIE, "")
        moment, _, mac = cookie.partition(".")
        if not moment.isdigit() or not hmac.compare_digest(
            mac.encode(), self._mac(moment).encode()
        ):
            return False
        return 0 <= time.time() - int(moment) < SESSION_HOURS * 3600

    def _mac(self, moment: str) -> str:
        return hmac.new(
            self._token, f"okrsync-session:{moment}".encode(), hashlib.sha256
        ).hexdigest()
