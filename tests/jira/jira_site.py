"""What the Jira connector tests share: a made-up Cloud site (respx intercepts every
request to it) and a fake clock for the HTTP layer's waits.

A module of its own, so tests import it by a name no other test folder uses."""

from __future__ import annotations

SITE = "https://acme.atlassian.net"
TOKEN = "tok-3f9a1c77e2b54d0d"


class FakeTime:
    """Stands in for okrsync.http.sleep/monotonic: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now
