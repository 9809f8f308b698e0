"""The benchmark's sync units: half read a Jira project of their own, half a GitHub
repository of their own; each has one KR counting its done items, pushed to a KR issue.

Unit ``n`` (0-based) reads Jira project ``T{n:03d}`` when ``n`` is even, GitHub
repository ``acme/team-{n:03d}`` when it is odd; it has ``ITEMS`` items, all open at the
start, and its KR is ``done`` with target ``ITEMS``. The k-th item closed during the
load therefore moves its KR to ``100 * k / ITEMS`` percent: a write carrying that value
is the result of that change (and of every earlier one of the unit).
"""

from __future__ import annotations

from dataclasses import dataclass

ITEMS = 20  # items per unit; at most this many changes per unit
ORG = "acme"
KR_REPO = f"{ORG}/okrs"  # where the GitHub units' KR issues live (project 5 items)


@dataclass(frozen=True)
class Unit:
    index: int

    @property
    def tool(self) -> str:
        return "jira" if self.index % 2 == 0 else "github"

    @property
    def scope(self) -> str:
        """The Jira project key, or the GitHub ``owner/repo``."""
        if self.tool == "jira":
            return f"T{self.index:03d}"
        return f"{ORG}/team-{self.index:03d}"

    @property
    def file(self) -> str:
        return f"mappings/team-{self.index:03d}.yaml"

    @property
    def kr(self) -> str:
        return f"team-{self.index:03d}-done"

    @property
    def query(self) -> str:
        return f"project = {self.scope}" if self.tool == "jira" else f"repo:{self.scope}"


def units(count: int) -> list[Unit]:
    return [Unit(n) for n in range(count)]


def progress_after(changes: int) -> float:
    """The KR progress (percent, as pushed) once ``changes`` of a unit's items are done."""
    return round(100.0 * changes / ITEMS, 1)
