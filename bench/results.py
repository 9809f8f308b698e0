"""What a benchmark run measured: each pull as its process reported it and as the
sandbox's request log saw it, and the jira script's pull scaled to every issue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bench import minimum
from bench.sandbox import LogSummary
from bench.settings import Settings

# The script's per-issue requests: the issue with its inline changelog, and the rest of
# a truncated changelog.
ISSUE_ROUTE = "GET /rest/api/3/issue/{key}"
CHANGELOG_ROUTE = "GET /rest/api/3/issue/{key}/changelog"


@dataclass(frozen=True)
class Pull:
    """One contender's pull: what it reported and what the sandbox saw."""

    result: dict[str, Any]
    log: LogSummary

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    @property
    def requests(self) -> int:
        return self.log.total

    @property
    def peak_mb(self) -> float:
        return float(self.result["peak_rss_mb"])


@dataclass(frozen=True)
class ScriptPull:
    """The jira script's pull, scaled from its changelog sample to every issue: the
    phase that reads one issue at a time (its time, its requests) is multiplied by
    issues / sampled, the rest is as measured."""

    measured: Pull
    # What the script reports for that phase, and the routes it sends there.
    SAMPLED: ClassVar[str] = "changelogs_read"
    PHASE_SECONDS: ClassVar[str] = "changelog_seconds"
    PER_ISSUE: ClassVar[tuple[str, ...]] = (ISSUE_ROUTE, CHANGELOG_ROUTE)

    @property
    def issues(self) -> int:
        return int(self.measured.result["issues"])

    @property
    def sampled(self) -> int:
        return int(self.measured.result[self.SAMPLED])

    @property
    def extrapolated(self) -> bool:
        return self.sampled < self.issues

    @property
    def scale(self) -> float:
        return self.issues / self.sampled if self.sampled else 1.0

    @property
    def per_issue_requests(self) -> int:
        return sum(self.measured.log.count(route) for route in self.PER_ISSUE)

    @property
    def changelog_requests(self) -> int:
        return self.per_issue_requests

    @property
    def seconds(self) -> float:
        result = self.measured.result
        rest = float(result["seconds"]) - float(result[self.PHASE_SECONDS])
        return rest + float(result[self.PHASE_SECONDS]) * self.scale

    @property
    def requests(self) -> int:
        per_issue = self.per_issue_requests
        return self.measured.requests - per_issue + round(per_issue * self.scale)


@dataclass(frozen=True)
class Outcome:
    settings: Settings
    build_seconds: float
    histories: int
    sandbox_rss_mb: float
    fields: list[str]
    changed: int
    okrsync_full: Pull
    okrsync_incremental: Pull
    script_full: ScriptPull
    script_incremental: ScriptPull
    started: float
    finished: float
    load_after: tuple[float, float, float]

    @property
    def minimum_full(self) -> dict[str, int]:
        return minimum.full_pull(self.settings.issues)

    @property
    def minimum_incremental(self) -> dict[str, int]:
        return minimum.incremental_pull(self.settings.issues, self.changed)

    @property
    def members_listed(self) -> bool:
        """Whether okrsync's incremental pull read the members' id pages again, rather
        than trusting the approximate count."""
        searches = self.okrsync_incremental.log.count(minimum.SEARCH)
        return searches > self.minimum_incremental[minimum.SEARCH]
