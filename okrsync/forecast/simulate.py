"""The Monte-Carlo forecast of item KRs: each trial draws, for every day left in the
cycle, one whole past day of the KR's history (with replacement) and adds what the team
finished and what was added to the scope that day.

Vectorised for many KRs at once: KRs with as many history days and as many days left
share one draw. A trial's draws only matter through how often each past day was drawn,
so the draws become a (trials × history days) count matrix once per group, and every
KR's finished and added totals are one matrix product with its daily numbers. The
generator is seeded by the seed and the group's shape alone, so a KR's forecast depends
on its own history, the instant and the seed, never on which other KRs were forecast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from okrsync.forecast.history import DailyHistory
from okrsync.forecast.settings import ForecastSettings

PERCENTILES = (15.0, 50.0, 85.0)
# Values within this of the target have reached it (sums of estimates are floats).
_REACHED = 1e-9


@dataclass(frozen=True)
class Case:
    """One KR to forecast: its measure, history, value now and target."""

    measure: str  # one of history.SIMULATED_MEASURES
    history: DailyHistory
    value: float
    target: float | None
    rising: bool  # the target lies above the baseline


@dataclass(frozen=True)
class Outcome:
    p15: float
    p50: float
    p85: float
    probability_of_target: float | None


def day_counts(days: int, draws: int, settings: ForecastSettings) -> NDArray[np.float64]:
    """How often each of ``days`` past days is drawn in ``draws`` draws, per trial."""
    generator = np.random.default_rng([settings.seed, days, draws])
    drawn = generator.integers(0, days, size=(settings.trials, draws))
    rows = np.arange(settings.trials)[:, None] * days
    flat = np.bincount((drawn + rows).ravel(), minlength=settings.trials * days)
    return flat.reshape(settings.trials, days).astype(np.float64)


def simulate(cases: Sequence[Case], settings: ForecastSettings) -> list[Outcome]:
    """The outcome of every case, in order. Each case has history days and days left."""
    outcomes: list[Outcome | None] = [None] * len(cases)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n, case in enumerate(cases):
        groups[(len(case.history.days), case.history.days_left)].append(n)
    for (days, left), members in groups.items():
        counts = day_counts(days, left, settings)
        chosen = [cases[n] for n in members]
        finished = counts @ np.array([c.history.completed for c in chosen]).T
        added = counts @ np.array([c.history.added for c in chosen]).T
        finals = np.column_stack(
            [final_values(c, finished[:, k], added[:, k]) for k, c in enumerate(chosen)]
        )
        bands = np.percentile(finals, PERCENTILES, axis=0)
        for k, (n, case) in enumerate(zip(members, chosen, strict=True)):
            outcomes[n] = Outcome(
                p15=float(bands[0, k]),
                p50=float(bands[1, k]),
                p85=float(bands[2, k]),
                probability_of_target=reach_probability(finals[:, k], case),
            )
    return [o for o in outcomes if o is not None]


def final_values(
    case: Case, finished: NDArray[np.float64], added: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The KR's value at the cycle's end in every trial. Nothing more can be finished
    than the scope holds by then."""
    history = case.history
    if case.measure in ("count", "scope_added"):
        return case.value + added
    total = history.total + added
    done = history.done + np.minimum(finished, np.maximum(total - history.done, 0.0))
    if case.measure == "done":
        return done
    return 100.0 * done / total


def reach_probability(finals: NDArray[np.float64], case: Case) -> float | None:
    if case.target is None:
        return None
    if case.rising:
        return float(np.mean(finals >= case.target - _REACHED))
    return float(np.mean(finals <= case.target + _REACHED))
