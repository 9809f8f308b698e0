"""The forecast case: 10,000 Monte-Carlo trials for each of 500 KRs, as ``plan`` runs
them, timed and set against the goal of well under a second.

The KRs' histories are made up (seeded), shaped like a quarter half gone: 46 whole days
of completions and additions, 44 days left. KRs of one cycle share one draw; KRs of
several cycles or created on different days draw apart, which the second case measures.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from okrsync.forecast import Case, DailyHistory, ForecastSettings, simulate

GOAL_SECONDS = 0.5  # "well under a second"
MEASURES = ("completion", "done", "count", "scope_added")


@dataclass(frozen=True)
class ForecastTiming:
    name: str
    krs: int
    trials: int
    groups: int
    seconds: float  # the median of the repeats
    cpu_seconds: float = 0.0  # the same in CPU time: what a loaded machine does not stretch

    @property
    def met(self) -> bool:
        return self.seconds < GOAL_SECONDS


def made_up_cases(krs: int, shapes: int, seed: int = 1) -> list[Case]:
    """``krs`` KRs spread over ``shapes`` (history days, days left) pairs."""
    generator = np.random.default_rng(seed)
    cases = []
    for n in range(krs):
        days = 46 - n % shapes
        left = 44 + n % shapes
        completed = generator.poisson(1.5, days).astype(float)
        added = generator.poisson(0.3, days).astype(float)
        total = float(completed.sum() * 2 + 10)
        history = DailyHistory(
            days=tuple(date(2027, 1, 1) + timedelta(days=d) for d in range(days)),
            completed=tuple(completed),
            added=tuple(added),
            done=float(completed.sum()),
            total=total,
            days_left=left,
        )
        measure = MEASURES[n % len(MEASURES)]
        cases.append(Case(measure, history, float(completed.sum()), total, rising=True))
    return cases


def time_forecasts(
    name: str, krs: int = 500, shapes: int = 1, trials: int = 10_000, repeats: int = 5
) -> ForecastTiming:
    cases = made_up_cases(krs, shapes)
    settings = ForecastSettings(trials=trials)
    simulate(cases[:1], settings)  # imports and first-call set-up are not the case
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        simulate(cases, settings)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return ForecastTiming(
        name, krs, trials, shapes, statistics.median(times), statistics.median(cpu)
    )


def forecast_timings() -> list[ForecastTiming]:
    return [
        time_forecasts("500 KRs of one cycle"),
        time_forecasts("500 KRs in 10 shapes of history", shapes=10),
    ]


def forecast_section(timings: list[ForecastTiming], command: str, machine: list[str]) -> str:
    lines = [
        "## Forecasts",
        "",
        f"`{command}` — okrsync's Monte-Carlo forecasts (`okrsync.forecast.simulate`) over "
        "made-up histories of a quarter half gone (46 whole days, 44 left); the median of "
        "5 runs. Goal: well under a second (< 0.5 s of wall time) for 10,000 trials of 500 "
        "KRs. Other work on the machine stretches the wall time: see the load average.",
        "",
        *[f"- {line}" for line in machine],
        "",
        "| case | KRs | trials | draws shared by | time | CPU time | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for t in timings:
        shared = t.krs // t.groups
        verdict = "met" if t.met else "not met"
        lines.append(
            f"| {t.name} | {t.krs} | {t.trials:,} | {shared} KRs | {t.seconds:.3f} s "
            f"| {t.cpu_seconds:.3f} s | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def with_section(results: str, section: str) -> str:
    """``results`` with its forecast section replaced by ``section`` (or added)."""
    start = results.find("## Forecasts")
    if start < 0:
        return results.rstrip("\n") + "\n\n" + section
    # It ends at the next heading, or at the evaluation section's opening marker.
    ends = [results.find(mark, start + 1) for mark in ("\n## ", "\n<!-- ")]
    end = min((found for found in ends if found >= 0), default=-1)
    rest = "" if end < 0 else results[end:]
    return results[:start] + section + rest
