"""A fake clock for the HTTP layer: sleeping advances both clocks at once.

A module of its own, so tests import it by a name no other test folder uses."""

from __future__ import annotations

# 2027-01-01T00:00:00Z, so that epoch resets in the tests read as instants.
EPOCH_START = 1_798_761_600.0


class FakeClock:
    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed

    def wall_clock(self) -> float:
        return EPOCH_START + self.elapsed
