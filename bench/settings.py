"""What a benchmark run does: its scale, latency, sample and share of changed issues."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    issues: int = 100_000
    latency: float = 0.02
    sample: int = 2000  # issues whose changelog the jira script reads; the rest is scaled
    changed_fraction: float = 0.01
    timeout: float = 1800.0  # per contender run

    @property
    def changed(self) -> int:
        return max(1, math.ceil(self.issues * self.changed_fraction))
