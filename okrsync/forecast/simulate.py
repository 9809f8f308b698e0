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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from okrsync.forecast.history import DailyHistory
from okrsync.forecast.settings import ForecastSettings

PERCENTILES = (15.0, 50.0, 85.0)
_GROWING = ("count", "scope_added")  # their value grows with the scope alone
_BLOCKS = (*_GROWING, "done", "completion")
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


@lru_cache(maxsize=4)
def day_counts(days: int, draws: int, settings: ForecastSettings) -> NDArray[np.float64]:
    """How often each of ``days`` past days is drawn in ``draws`` draws, per trial.

    Kept for the next calls (read-only): it depends on its arguments alone, and the
    units a service runs one after another share a cycle, so their KRs mostly have as
    many history days and days left. Each is trials × days floats (a few MB)."""
    generator = np.random.default_rng([settings.seed, days, draws])
    drawn = generator.integers(0, days, size=(settings.trials, draws))
    rows = np.arange(settings.trials)[:, None] * days
    flat = np.bincount((drawn + rows).ravel(), minlength=settings.trials * days)
    counts = flat.reshape(settings.trials, days).astype(np.float64)
    counts.flags.writeable = False
    return counts


@lru_cache(maxsize=4)
def day_columns(days: int, draws: int, settings: ForecastSettings) -> NDArray[np.int64]:
    """``day_counts`` as whole numbers, transposed (days × trials) and laid out row by
    row, for ``_exact_product``."""
    columns = np.ascontiguousarray(day_counts(days, draws, settings).T).astype(np.int64)
    columns.flags.writeable = False
    return columns


def _whole_numbers(daily: NDArray[np.float64], draws: int) -> bool:
    """Whether the daily numbers are whole and small enough that every product with
    the draw counts, and every sum of those, is a whole number below 2**53."""
    whole = bool(np.all(np.mod(daily, 1.0) == 0.0))
    return whole and float(np.abs(daily).sum(initial=0.0)) * max(draws, 1) < 2.0**53


# NumPy's integer product runs without BLAS, one row at a time: it beats the
# floating-point product for the few KRs of one unit run (whose BLAS threads cost more
# than the product), not for a plan of hundreds of KRs, where it was 3x slower.
# Either gives the very same numbers for whole numbers.
_EXACT_ROWS_AT_MOST = 16


def _exact_product(
    daily: NDArray[np.float64], days: int, draws: int, settings: ForecastSettings
) -> NDArray[np.float64]:
    """``daily @ day_counts(...).T``. For whole numbers (counted items), in integers:
    exact, so the very same numbers, without the floating-point product's BLAS call,
    whose threads cost more CPU than the product itself at these sizes. Other
    numbers (sums of estimates) keep the floating-point product and its rounding."""
    if len(daily) <= _EXACT_ROWS_AT_MOST and _whole_numbers(daily, draws):
        exact = daily.astype(np.int64) @ day_columns(days, draws, settings)
        return exact.astype(np.float64)
    return daily @ day_counts(days, draws, settings).T


def simulate(cases: Sequence[Case], settings: ForecastSettings) -> list[Outcome]:
    """The outcome of every case, in order. Each case has history days and days left."""
    outcomes: list[Outcome | None] = [None] * len(cases)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n, case in enumerate(cases):
        groups[(len(case.history.days), case.history.days_left)].append(n)
    for (days, left), grouped in groups.items():
        # Rows of one kind of measure lie together: each is computed as one block.
        members = sorted(grouped, key=lambda n: _BLOCKS.index(cases[n].measure))
        chosen = [cases[n] for n in members]
        # One row per KR, one column per trial: each KR's trials lie side by side.
        completed = np.array([c.history.completed for c in chosen], dtype=np.float64)
        finished = _exact_product(completed, days, left, settings)
        daily_added = np.array([c.history.added for c in chosen], dtype=np.float64)
        added = _exact_product(daily_added, days, left, settings)
        finals = final_values(chosen, finished, added)
        bands = row_percentiles(finals, PERCENTILES)
        chances = reach_probabilities(finals, chosen)
        for k, n in enumerate(members):
            p15, p50, p85 = (float(v) for v in bands[k])
            outcomes[n] = Outcome(p15, p50, p85, chances[k])
    return [o for o in outcomes if o is not None]


def _column(cases: Sequence[Case], value: Callable[[Case], float]) -> NDArray[np.float64]:
    return np.array([value(c) for c in cases], dtype=np.float64)[:, None]


def final_values(
    cases: Sequence[Case], finished: NDArray[np.float64], added: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each KR's value at the cycle's end (rows) in every trial (columns), for cases in
    ``_BLOCKS`` order. Nothing more can be finished than the scope holds by then.
    Works in place on ``finished``, a block of rows at a time: no masks, no copies."""
    measures = [c.measure for c in cases]
    grow = sum(m in _GROWING for m in measures)  # rows [0, grow) only grow
    share = measures.index("completion") if "completion" in measures else len(cases)
    ended = finished
    np.add(added[:grow], _column(cases[:grow], lambda c: c.value), out=ended[:grow])
    rest = cases[grow:]
    if rest:
        done = _column(rest, lambda c: c.history.done)
        total = np.add(added[grow:], _column(rest, lambda c: c.history.total))
        room = np.maximum(np.subtract(total, done, out=added[grow:]), 0.0, out=added[grow:])
        np.minimum(ended[grow:], room, out=ended[grow:])
        np.add(ended[grow:], done, out=ended[grow:])
        part = ended[share:]
        np.divide(part, total[share - grow :], out=part)
        np.multiply(part, 100.0, out=part)
    return ended


def row_percentiles(
    values: NDArray[np.float64], percentiles: Sequence[float]
) -> NDArray[np.float64]:
    """Each row's percentiles, interpolated linearly between closest ranks as numpy's
    default does; a partial sort around those ranks instead of a full one."""
    last = values.shape[1] - 1
    ranks = np.array(percentiles) / 100.0 * last
    low = np.floor(ranks).astype(int)
    high = np.minimum(low + 1, last)
    ordered = np.partition(values, sorted({*low, *high}), axis=1)
    fraction = ranks - low
    return ordered[:, low] + (ordered[:, high] - ordered[:, low]) * fraction


def reach_probabilities(finals: NDArray[np.float64], cases: Sequence[Case]) -> list[float | None]:
    """The share of trials in which each KR reaches its target (None: it has none)."""
    targets = _column(cases, lambda c: np.nan if c.target is None else c.target)
    direction = _column(cases, lambda c: 1.0 if c.rising else -1.0)
    reached = np.mean(direction * (finals - targets) >= -_REACHED, axis=1)
    return [None if c.target is None else float(r) for c, r in zip(cases, reached, strict=True)]
