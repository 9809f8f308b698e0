"""The seeded site: three teams' projects around one OKR cycle, plus optional bulk.

Every timestamp is placed relative to ``anchor`` (the cycle start, midnight UTC), so
tests can hand-compute values for any cycle; without an anchor the site is placed in
the current quarter (see timeline.py). DATASET.md lists the seeded issues and their
histories; keep it in step with this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from okrsync_sandbox import catalog
from okrsync_sandbox.bulk import SETTLES_WITHIN, add_bulk_issues
from okrsync_sandbox.model import Board, Project, Resolution, Sprint, Status, User
from okrsync_sandbox.state import Deployment, SandboxState
from okrsync_sandbox.timeline import Timeline

BOT_EMAIL = "okr-bot@example.com"
API_TOKEN = "sandbox-api-token"  # Basic auth with BOT_EMAIL (Cloud)
PAT = "sandbox-personal-access-token"  # Bearer (Data Center style)
ANA_EMAIL = "ana@example.com"
ANA_TOKEN = "ana-api-token"

SPRINT_DAYS = 14


@dataclass
class _Seed:
    """One seeded issue: created at ``day``/``hour`` after the anchor, then ``events``."""

    project: str
    type: str
    summary: str
    day: float
    hour: int = 10
    parent: str | None = None
    points: float | None = None
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    # (day, hour, action, value): action is status | points | sprints | field id.
    events: list[tuple[float, int, str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def build_dataset(
    anchor: date | None = None,
    *,
    now: datetime | None = None,
    extra_issues: int = 0,
    seed: int = 7,
    deployment: Deployment = "Cloud",
) -> SandboxState:
    """A deterministic site for the cycle starting at ``anchor``.

    Without ``anchor``, the cycle is the calendar quarter (UTC) of ``now`` (default: the
    wall clock) and every seeded event lies before ``now``. ``extra_issues`` adds that
    many synthetic issues to project BULK (cheaply: 100,000 take a few seconds); ``seed``
    varies only those. ``deployment`` "Server" or "DataCenter" serves the same data the
    Data Center way.
    """
    timeline = (
        Timeline.fixed(anchor) if anchor is not None else Timeline.current(now or datetime.now(UTC))
    )
    state = SandboxState(timeline.anchor)
    at = timeline.at

    people = _add_people(state)
    _add_projects(state)
    _add_boards_and_sprints(state, at)

    seeds = _seeds()
    keys = [_create(state, s, at(s.day, s.hour), people) for s in seeds]
    # Replaying every event in time order gives history ids the order Jira would give.
    events = sorted(
        (
            (at(day, hour), index, action, value)
            for index, s in enumerate(seeds)
            for day, hour, action, value in s.events
        ),
        key=lambda e: (e[0], e[1]),
    )
    for when, index, action, value in events:
        _apply(state, keys[index], when, action, value, people)

    _add_comments_and_properties(state, at, people)
    if extra_issues:
        first, last = timeline.window(at(-30, 0), at(46, 0), SETTLES_WITHIN)
        add_bulk_issues(state, extra_issues, start=first, span=last - first, seed=seed)
    # Set last: the seeded histories are the same on both (none records a parent change).
    state.deployment = deployment
    state.touch()
    return state


def _add_people(state: SandboxState) -> dict[str, User]:
    people = {
        "bot": User("61a0b0c0d0e0f00000000001", BOT_EMAIL, "OKR Bot"),
        "ana": User("61a0b0c0d0e0f00000000002", ANA_EMAIL, "Ana Lima"),
        "ben": User("61a0b0c0d0e0f00000000003", "ben@example.com", "Ben Okafor"),
        "chen": User("61a0b0c0d0e0f00000000004", "chen@example.com", "Chen Wei"),
        "dora": User(
            "61a0b0c0d0e0f00000000005", "dora@example.com", "Dora Schmidt", "Europe/Berlin", "de_DE"
        ),
    }
    for user in people.values():
        state.add_user(user)
    state.add_credential(people["bot"], API_TOKEN)
    state.add_credential(people["bot"], PAT, basic=False)
    state.add_credential(people["ana"], ANA_TOKEN)
    return people


def _add_projects(state: SandboxState) -> None:
    todo = Status("10000", "To Do", catalog.TODO)
    doing = Status("3", "In Progress", catalog.IN_PROGRESS)
    review = Status("10001", "In Review", catalog.IN_PROGRESS)
    done = Status("10002", "Done", catalog.DONE)
    zu = Status("10003", "Zu erledigen", catalog.TODO)
    arbeit = Status("10004", "In Arbeit", catalog.IN_PROGRESS)
    erledigt = Status("10005", "Erledigt", catalog.DONE)
    resolved = Resolution("10000", "Done", "Work has been completed on this issue.")
    fertig = Resolution("10001", "Fertig", "Die Arbeit an diesem Vorgang ist abgeschlossen.")
    software = [catalog.EPIC, catalog.STORY, catalog.TASK, catalog.BUG, catalog.SUBTASK]
    ana, dora = state.users["61a0b0c0d0e0f00000000002"], state.users["61a0b0c0d0e0f00000000005"]
    # SHOP-1..99 were moved to another project long ago: keys start at 100, as they can.
    state.add_project(
        Project(
            "10000",
            "SHOP",
            "Checkout",
            ana,
            [todo, doing, review, done],
            software,
            resolved,
            catalog.software_screens(),
            next_number=100,
        )
    )
    state.add_project(
        Project(
            "10001",
            "PAY",
            "Zahlungen",
            dora,
            [zu, arbeit, erledigt],
            software,
            fertig,
            catalog.software_screens(),
        )
    )
    state.add_project(
        Project(
            "10002",
            "OKR",
            "Objectives and Key Results",
            ana,
            [todo, doing, done],
            [catalog.OBJECTIVE, catalog.KEY_RESULT, catalog.TASK],
            resolved,
            catalog.okr_screens(),
        )
    )
    state.add_project(
        Project(
            "10003",
            "BULK",
            "Bulk load",
            ana,
            [todo, doing, review, done],
            [catalog.EPIC, catalog.STORY, catalog.TASK, catalog.BUG],
            resolved,
            catalog.software_screens(),
        )
    )


def _add_boards_and_sprints(state: SandboxState, at: Callable[[float, int], datetime]) -> None:
    state.add_board(Board(1, "SHOP board", "scrum", "SHOP", catalog.STORY_POINTS))
    state.add_board(Board(2, "PAY board", "scrum", "PAY", catalog.STORY_POINTS))
    state.add_board(Board(3, "OKR board", "kanban", "OKR"))
    # Two-week sprints: k=1 ends at the anchor; each closes at 08:00, the next starts at 09:00.
    next_id = 1
    for board_id, team in ((1, "SHOP"), (2, "PAY")):
        for k in range(1, 7):
            begin = at(SPRINT_DAYS * (k - 2), 9)
            finish = at(SPRINT_DAYS * (k - 1), 9)
            sprint = Sprint(next_id, board_id, f"{team} Sprint {k}", "closed", begin, finish)
            if k <= 4:
                sprint.complete = at(SPRINT_DAYS * (k - 1), 8)
            elif k == 5:
                sprint.state = "active"
            else:
                sprint.state, sprint.start, sprint.end = "future", None, None
            sprint.goal = f"{team} sprint {k} goal"
            state.add_sprint(sprint)
            next_id += 1


def _seeds() -> list[_Seed]:
    """The seeded issues, in creation order within each project (keys follow it)."""
    # fmt: off
    S, P, K = "SHOP", "PAY", "OKR"
    return [
        _Seed(S, "Epic", "One-click checkout", -30, assignee="ana", labels=("checkout",),
              events=[(1, 10, "status", "In Progress")]),
        _Seed(S, "Bug", "Coupon field loses focus", -29, 11, points=1,
              labels=("checkout", "mobile"), assignee="ben",
              events=[(-27, 10, "status", "In Progress"), (-25, 15, "status", "Done")]),
        _Seed(S, "Epic", "Guest checkout", -20, assignee="ana"),
        _Seed(S, "Story", "Save card for one-click", -18, parent="SHOP-100", points=5,
              labels=("checkout",), assignee="ben",
              events=[(-15, 16, "sprints", [1]), (-10, 10, "status", "In Progress"),
                      (-3, 10, "status", "In Review"), (-1, 15, "status", "Done")]),
        _Seed(S, "Story", "One-click button on product page", -17, parent="SHOP-100", points=5,
              assignee="chen",
              events=[(-15, 16, "sprints", [1]), (-5, 10, "status", "In Progress"),
                      (0, 8, "sprints", [1, 2]), (3, 11, "points", 8),
                      (7, 10, "status", "In Review"), (9, 14, "status", "Done")]),
        _Seed(S, "Story", "Address autofill", -16, parent="SHOP-100", points=3, assignee="ben",
              events=[(-1, 16, "sprints", [2]), (2, 10, "status", "In Progress"),
                      (6, 15, "status", "Done"), (8, 10, "status", "In Progress"),
                      (12, 16, "status", "Done")]),
        _Seed(S, "Task", "Feature flag for one-click", -15, 11, parent="SHOP-100", assignee="chen",
              events=[(-1, 16, "sprints", [2]), (4, 12, "status", "Done")]),
        _Seed(S, "Subtask", "Write API contract", -12, parent="SHOP-104", assignee="chen",
              events=[(-11, 10, "status", "In Progress"), (1, 12, "status", "Done")]),
        _Seed(S, "Story", "Fraud check on one-click", -10, parent="SHOP-100", points=3,
              assignee="ben",
              events=[(27, 16, "sprints", [4]), (30, 10, "status", "In Progress"),
                      (33, 15, "status", "Done")]),
        _Seed(S, "Story", "Guest email capture", -9, parent="SHOP-102", points=3,
              events=[(41, 16, "sprints", [6])]),
        _Seed(S, "Task", "Upgrade payment SDK", 3, points=2, labels=("tech-debt",), assignee="chen",
              events=[(3, 11, "sprints", [2]), (4, 10, "status", "In Progress"),
                      (14, 8, "sprints", [2, 3]), (20, 11, "status", "Done")]),
        _Seed(S, "Bug", "Double charge on retry", 5, parent="SHOP-100", points=2, assignee="ben",
              labels=("checkout",),
              events=[(5, 11, "sprints", [2]), (6, 10, "status", "In Progress"),
                      (10, 17, "status", "Done")]),
        _Seed(S, "Story", "One-click for saved addresses", 16, parent="SHOP-100", points=5,
              assignee="ana",
              events=[(16, 11, "sprints", [3]), (17, 10, "status", "In Progress"),
                      (25, 10, "status", "In Review"), (28, 8, "sprints", [3, 4]),
                      (42, 8, "sprints", [3, 4, 5])]),
        _Seed(S, "Story", "Receipt email for one-click", 20, parent="SHOP-100",
              events=[(41, 16, "sprints", [5])]),
        _Seed(S, "Story", "Guest order lookup", 22, parent="SHOP-102", points=5, assignee="chen",
              events=[(41, 16, "sprints", [5]), (44, 10, "status", "In Progress")]),
        _Seed(S, "Story", "Checkout analytics events", 24, points=2, labels=("analytics",),
              events=[(26, 10, "points", 3)]),
        _Seed(S, "Story", "One-click on mobile web", 30, parent="SHOP-100", points=3,
              labels=("mobile",), assignee="ben",
              events=[(30, 11, "sprints", [4]), (32, 10, "status", "In Progress"),
                      (42, 8, "sprints", [4, 5]), (46, 15, "status", "Done")]),
        # PAY: a German-speaking team; statuses and resolution are localized.
        _Seed(P, "Epic", "Zahlungsanbieter wechseln", -25, 9, assignee="dora",
              events=[(2, 9, "status", "In Arbeit")]),
        _Seed(P, "Story", "Neue API anbinden", -20, 9, parent="PAY-1", points=3, assignee="dora",
              events=[(-1, 16, "sprints", [8]), (1, 9, "status", "In Arbeit"),
                      (7, 15, "status", "Erledigt")]),
        _Seed(P, "Story", "Webhooks verarbeiten", -19, 9, parent="PAY-1", points=5,
              assignee="dora",
              events=[(-1, 16, "sprints", [8]), (10, 9, "status", "In Arbeit"),
                      (14, 8, "sprints", [8, 9]), (28, 8, "sprints", [8, 9, 10]),
                      (42, 8, "sprints", [8, 9, 10, 11])]),
        _Seed(P, "Task", "Zertifikat erneuern", -4, 9, points=1,
              events=[(-3, 9, "status", "In Arbeit"), (-2, 12, "status", "Erledigt")]),
        _Seed(P, "Bug", "Rundungsfehler bei Gebühren", -2, 9,
              events=[(15, 11, "status", "Erledigt")]),
        _Seed(P, "Story", "Rückerstattungen", 30, 9, parent="PAY-1", points=8),
        _Seed(P, "Story", "Zahlungsbelege", 31, 9, parent="PAY-1", points=2, assignee="dora",
              events=[(31, 10, "sprints", [10]), (32, 9, "status", "In Arbeit"),
                      (36, 16, "status", "Erledigt")]),
        # OKR: objectives and key results; OKR-12 is the KR the docs push to, OKR-6 the
        # README walkthrough's (no example mapping pushes to it).
        _Seed(K, "Objective", "Shoppers breeze through checkout", -5, 9, assignee="ana",
              events=[(0, 9, "status", "In Progress")]),
        _Seed(K, "Objective", "Payments never get in the way", -5, 10, assignee="dora",
              events=[(0, 9, "status", "In Progress")]),
        _Seed(K, "Key Result", "Median story cycle time from 6 days to 3", -5, 11, parent="OKR-1"),
        _Seed(K, "Key Result", "Checkout conversion from 2.1% to 3%", -5, 12, parent="OKR-1"),
        _Seed(K, "Key Result", "Payment provider switched for all markets", -5, 13,
              parent="OKR-2"),
        _Seed(K, "Key Result", "Refunds paid within 2 days", -5, 14, parent="OKR-2"),
        _Seed(K, "Task", "Prepare the Q1 OKR review", -4, 9, assignee="ana"),
        _Seed(K, "Key Result", "Zero double charges", -4, 10, parent="OKR-1", assignee="ben",
              extra={catalog.TEAM_CONFIDENCE: 0.7},
              events=[(10, 9, catalog.KR_PROGRESS, 25), (20, 9, catalog.KR_PROGRESS, 40)]),
        _Seed(K, "Key Result", "Guest checkout in 3 markets", -4, 11, parent="OKR-1"),
        _Seed(K, "Objective", "Engineering health", -4, 12, assignee="chen"),
        _Seed(K, "Key Result", "Payment SDK upgraded everywhere", -4, 13, parent="OKR-10",
              events=[(1, 9, "status", "In Progress"), (20, 12, "status", "Done")]),
        _Seed(K, "Key Result", "Ship one-click checkout", -3, 9, parent="OKR-1", assignee="ana"),
    ]
    # fmt: on


def _create(state: SandboxState, s: _Seed, created: datetime, people: dict[str, User]) -> str:
    values: dict[str, Any] = dict(s.extra)
    if s.labels:
        values["labels"] = list(s.labels)
    if s.assignee:
        values["assignee"] = people[s.assignee]
    if s.parent:
        values["parent"] = state.get(s.parent)
    if s.points is not None:
        values[catalog.STORY_POINTS] = s.points
    values["description"] = _adf(f"{s.summary}.")
    reporter = people["dora"] if s.project == "PAY" else people["ana"]
    issue = state.add_issue(
        s.project, s.type, s.summary, created=created, reporter=reporter, fields=values
    )
    return issue.key


def _apply(
    state: SandboxState, key: str, when: datetime, action: str, value: Any, people: dict[str, User]
) -> None:
    issue = state.get(key)
    author = issue.assignee or people["ana"]
    if action == "status":
        state.transition(key, value, at=when, author=author)
    elif action == "points":
        state.set_field(key, catalog.STORY_POINTS, value, at=when, author=author)
    elif action == "sprints":
        # Sprint moves at a sprint's close are done by whoever completes it: Ana.
        state.set_field(key, catalog.SPRINT, list(value), at=when, author=people["ana"])
    else:
        state.set_field(key, action, value, at=when, author=author)


def _add_comments_and_properties(
    state: SandboxState, at: Callable[[float, int], datetime], people: dict[str, User]
) -> None:
    state.add_comment(
        "SHOP-104",
        _adf("Estimate raised to 8: the product page needs a redesign."),
        at=at(3, 11),
        author=people["chen"],
    )
    state.add_comment(
        "SHOP-104", _adf("Design approved, ready for review."), at=at(7, 9), author=people["ana"]
    )
    state.add_comment(
        "SHOP-105",
        _adf("Re-opened: autofill breaks on Safari."),
        at=at(8, 10),
        author=people["ben"],
    )
    state.add_comment(
        "OKR-12",
        _adf("Tracking the one-click epic SHOP-100 here."),
        at=at(1, 10),
        author=people["ana"],
    )
    shop100 = state.get("SHOP-100")
    shop100.properties["team-notes"] = {"owner": "ana", "reviewed": True}


def _adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }
