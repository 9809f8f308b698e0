"""How forecasts are made and read: the seed, the number of trials, how much history
they need and the probabilities that make a KR likely or at risk to reach its target."""

from __future__ import annotations

from dataclasses import dataclass

# Fewer whole days than this say too little about a team's pace to simulate from.
MIN_HISTORY_DAYS = 5


@dataclass(frozen=True)
class ForecastSettings:
    seed: int = 0
    trials: int = 10_000
    min_history_days: int = MIN_HISTORY_DAYS
    likely: float = 0.7  # likely when the probability of the target is at least this
    at_risk: float = 0.3  # at risk when at least this, else unlikely

    def status(self, probability: float | None) -> str | None:
        """The forecast status beside the linear one, from the probability of reaching
        the target (None: the KR has no target to reach)."""
        if probability is None:
            return None
        if probability >= self.likely:
            return "likely"
        return "at_risk" if probability >= self.at_risk else "unlikely"


DEFAULT_SETTINGS = ForecastSettings()
