"""The issue's goals for okrsync's pull, checked against one run's figures."""

from __future__ import annotations

from dataclasses import dataclass

from bench import minimum
from bench.results import Outcome

SPEEDUP_GOAL = 5.0
REQUEST_GOAL = 1.05
MEMORY_GOAL_MB = 400.0
INCREMENTAL_GOAL = 0.05
# Requests of an incremental pull besides fetching the changed issues: a check of the
# members (one count), one search for the changed issues, the catalog, the boards.
HANDFUL = 6
FLOOR_GOAL = 3.0
# The connector's default number of requests in flight.
IN_FLIGHT = 8
EXTRAPOLATED = "ᵉ"  # marks a figure scaled up from the jira script's sample


@dataclass(frozen=True)
class Goal:
    name: str
    target: str
    actual: str
    met: bool

    @property
    def verdict(self) -> str:
        return "met" if self.met else "**NOT MET**"


def goals(outcome: Outcome) -> list[Goal]:
    full, incremental, script = (
        outcome.okrsync_full,
        outcome.okrsync_incremental,
        outcome.script_full,
    )
    speedup = script.seconds / full.seconds
    least = sum(outcome.minimum_full.values())
    share = incremental.seconds / full.seconds
    peak = max(full.peak_mb, incremental.peak_mb)
    overhead = incremental.requests - minimum.fetches(incremental.log.routes)
    return [
        Goal(
            "full pull ≥ 5× faster than the jira script",
            f"≥ {SPEEDUP_GOAL:g}×",
            f"{speedup:,.1f}×" + (EXTRAPOLATED if script.extrapolated else ""),
            speedup >= SPEEDUP_GOAL,
        ),
        Goal(
            "full pull within 1.05× of the request minimum",
            f"≤ {REQUEST_GOAL * least:,.0f} ({REQUEST_GOAL}× {least:,})",
            f"{full.requests:,} ({full.requests / least:.3f}×)",
            full.requests <= REQUEST_GOAL * least,
        ),
        Goal(
            "okrsync's peak memory under 400 MB (full and incremental)",
            f"< {MEMORY_GOAL_MB:g} MB",
            f"{peak:,.0f} MB",
            peak < MEMORY_GOAL_MB,
        ),
        Goal(
            "incremental pull under 5% of the full pull's time",
            f"< {INCREMENTAL_GOAL:.0%}",
            f"{share:.1%} ({incremental.seconds:.2f} s)",
            share < INCREMENTAL_GOAL,
        ),
        Goal(
            "incremental pull: a handful of requests besides fetching the changed issues",
            f"≤ {HANDFUL}",
            f"{overhead:,}",
            overhead <= HANDFUL,
        ),
    ]


def network_floor(outcome: Outcome) -> float:
    """Seconds the full pull would take if only the network set its pace: the minimum
    requests, each waiting the sandbox's latency, ``IN_FLIGHT`` at a time."""
    least = sum(outcome.minimum_full.values())
    return least * outcome.settings.latency / IN_FLIGHT


def floor_goal(outcome: Outcome) -> Goal:
    """The issue's service-scale goal: a full pull within 3× the network floor."""
    floor = network_floor(outcome)
    ratio = outcome.okrsync_full.seconds / floor if floor else float("inf")
    return Goal(
        f"full pull within {FLOOR_GOAL:g}× the network floor",
        f"≤ {FLOOR_GOAL * floor:,.1f} s ({FLOOR_GOAL:g}× {floor:,.2f} s)",
        f"{outcome.okrsync_full.seconds:,.1f} s ({ratio:,.1f}×)",
        ratio <= FLOOR_GOAL,
    )


def all_goals(outcome: Outcome) -> list[Goal]:
    return [*goals(outcome), floor_goal(outcome)]
