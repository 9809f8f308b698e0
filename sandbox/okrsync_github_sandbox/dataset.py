"""The seeded GitHub organization ``acme``: deterministic, placed around an anchor.

Every instant is a (day, hour) offset from the anchor (the cycle start, 00:00 UTC), as in
the Jira sandbox, so tests hand-compute values for ``FIXED_ANCHOR`` and ``okrsync demo``
shows a cycle under way today. DATASET.md lists the issues and what is true when.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from okrsync_sandbox.timeline import Timeline

from okrsync_github_sandbox.model import Comment, Event, Iteration, Project
from okrsync_github_sandbox.state import GitHubState

BOT = "okr-bot"
TOKEN = "ghp_sandboxTokenForOkrBot0000000000000"
PROJECT_NUMBER = 5

# (repo, number, title, type, labels, created (day, hour), parent, pr, events)
# Events: (kind, day, hour, value).
_Spec = tuple[
    str,
    int,
    str,
    str | None,
    list[str],
    tuple[float, int],
    list[tuple[str, float, int, str | None]],
    bool,
]

_ISSUES: list[_Spec] = [
    (
        "acme/shop-app",
        1,
        "Checkout v2",
        "Epic",
        ["checkout"],
        (-10, 9),
        [("status", 1, 9, "In Progress")],
        False,
    ),
    (
        "acme/shop-app",
        2,
        "One-click buy button",
        "Feature",
        ["checkout"],
        (-5, 10),
        [
            ("parent_added", -5, 11, "acme/shop-app#1"),
            ("status", -5, 11, "Todo"),
            ("assigned", 2, 9, "ana"),
            ("status", 3, 10, "In Progress"),
            ("closed", 10, 16, "COMPLETED"),
            ("status", 10, 16, "Done"),
        ],
        False,
    ),
    (
        "acme/shop-app",
        3,
        "Saved cards",
        "Task",
        ["checkout"],
        (1, 10),
        [
            ("parent_added", 1, 11, "acme/shop-app#1"),
            ("status", 1, 11, "Todo"),
            ("status", 12, 9, "In Progress"),
            ("status", 20, 14, "In Review"),
            ("closed", 25, 15, "COMPLETED"),
            ("reopened", 27, 9, None),
            ("status", 27, 9, "In Progress"),
            ("closed", 30, 12, "COMPLETED"),
        ],
        False,
    ),
    (
        "acme/shop-app",
        4,
        "Double charge on retry",
        "Bug",
        ["checkout"],
        (5, 8),
        [
            ("status", 5, 9, "Todo"),
            ("status", 6, 10, "In Progress"),
            ("closed", 8, 17, "COMPLETED"),
        ],
        False,
    ),
    (
        "acme/shop-app",
        5,
        "Address autocomplete",
        None,
        ["checkout"],
        (15, 10),
        [
            ("status", 15, 11, "Todo"),
            ("parent_added", 16, 10, "acme/shop-app#1"),
            ("parent_removed", 19, 10, "acme/shop-app#1"),
        ],
        False,
    ),
    (
        "acme/shop-app",
        6,
        "Pay by fax",
        "Task",
        ["checkout"],
        (3, 10),
        [("status", 3, 11, "Todo"), ("closed", 18, 10, "NOT_PLANNED")],
        False,
    ),
    (
        "acme/shop-app",
        7,
        "Checkout button misaligned",
        None,
        ["checkout"],
        (4, 10),
        [("closed", 22, 10, "DUPLICATE")],
        False,
    ),
    (
        "acme/shop-app",
        8,
        "Cart total off by a cent",
        None,
        ["bug"],
        (9, 10),
        [("assigned", 11, 9, "ben")],
        False,
    ),
    (
        "acme/shop-app",
        9,
        "Wire the one-click endpoint",
        None,
        ["checkout"],
        (7, 10),
        [("merged", 14, 15, None)],
        True,
    ),
    (
        "acme/platform",
        1,
        "Payments gateway upgrade",
        "Story",
        ["checkout", "platform"],
        (2, 10),
        [
            ("status", 2, 11, "Todo"),
            ("assigned", 4, 10, "ben"),
            ("status", 9, 10, "In Progress"),
            ("closed", 35, 10, "COMPLETED"),
        ],
        False,
    ),
    ("acme/okrs", 1, "KR: ship one-click checkout", None, ["key-result"], (-14, 9), [], False),
]
# Project field values now: estimate (Estimate) and iteration (Sprint) by issue key.
_ESTIMATES = {
    "acme/shop-app#2": 5.0,
    "acme/shop-app#3": 3.0,
    "acme/shop-app#4": 2.0,
    "acme/shop-app#6": 8.0,
    "acme/platform#1": 13.0,
}
_SPRINTS = {
    "acme/shop-app#2": 1,
    "acme/shop-app#3": 3,
    "acme/shop-app#4": 1,
    "acme/shop-app#5": 2,
    "acme/platform#1": 3,
}
# Issues with a project item (the KR issue too, so a number field can be pushed to it).
_IN_PROJECT = {
    "acme/shop-app#1",
    "acme/shop-app#2",
    "acme/shop-app#3",
    "acme/shop-app#4",
    "acme/shop-app#5",
    "acme/shop-app#6",
    "acme/platform#1",
    "acme/okrs#1",
}
_COMMENTS = [
    # A person's comment, and a person's copy of okrsync's marker: neither is okrsync's.
    ("acme/okrs#1", "ana", "Tracking one-click here.", (-13, 9)),
    ("acme/okrs#1", "ben", "<!-- okrsync:kr=ship-one-click -->\nlooks like the bot", (-12, 9)),
]


def build_dataset(
    anchor: date | None = None, *, now: datetime | None = None, extra_issues: int = 0
) -> GitHubState:
    """The seeded organization for the cycle starting at ``anchor`` (default: the
    current calendar quarter, every event before ``now``); ``extra_issues`` adds that
    many synthetic issues to repository ``acme/bulk`` (label ``bulk``), created an hour
    apart from A-60, every third closed a day later."""
    timeline = (
        Timeline.fixed(anchor) if anchor is not None else Timeline.current(now or datetime.now(UTC))
    )
    state = GitHubState(timeline.anchor)
    state.users = {BOT: 1001, "ana": 1002, "ben": 1003}
    state.tokens = {TOKEN: BOT}
    for repo in ("acme/shop-app", "acme/platform", "acme/okrs", "acme/bulk"):
        state.repos[repo] = len(state.repos) + 1
    state.project = _project(timeline.anchor)
    for spec in _ISSUES:
        _seed_issue(state, timeline, spec)
    for key, estimate in _ESTIMATES.items():
        state.project.values[state.project.items[key]]["Estimate"] = estimate
    # The iteration an issue is in now: GitHub keeps no history of iteration fields.
    for key, sprint in _SPRINTS.items():
        iteration = state.project.iterations[sprint - 1]
        state.project.values[state.project.items[key]]["Sprint"] = iteration.id
    for n in range(1, extra_issues + 1):
        _seed_bulk(state, timeline, n)
    for key, author, body, (day, hour) in _COMMENTS:
        at = timeline.at(day, hour)
        state.comments.append(Comment(state.next_id(), key, author, body, at, at))
    return state


def _project(anchor: date) -> Project:
    iterations = [
        Iteration(f"iter{k}", f"Sprint {k}", anchor + timedelta(days=14 * (k - 1)), 14)
        for k in range(1, 5)
    ]
    return Project(
        id="PVT_acme5",
        owner="acme",
        number=PROJECT_NUMBER,
        title="Checkout roadmap",
        status_field_id="PVTSSF_status",
        status_options=["Todo", "In Progress", "In Review", "Done"],
        number_fields={"Estimate": "PVTF_estimate", "KR Progress": "PVTF_progress"},
        iteration_field=("PVTIF_sprint", "Sprint"),
        iterations=iterations,
    )


def _seed_bulk(state: GitHubState, timeline: Timeline, number: int) -> None:
    created = timeline.at(-60, 0) + timedelta(hours=number)
    issue = state.add_issue("acme/bulk", number, f"Bulk issue {number}", created, labels=["bulk"])
    if number % 3 == 0:
        closed = created + timedelta(days=1)
        issue.apply(Event("closed", closed, "ana", "COMPLETED", state.next_id()))


def _seed_issue(state: GitHubState, timeline: Timeline, spec: _Spec) -> None:
    repo, number, title, issue_type, labels, (day, hour), events, is_pr = spec
    created = timeline.at(day, hour)
    issue = state.add_issue(
        repo, number, title, created, is_pr=is_pr, issue_type=issue_type, labels=list(labels)
    )
    if issue.key in _IN_PROJECT and state.project is not None:
        state.add_to_project(issue)
    for kind, event_day, event_hour, value in events:
        actor = "ana" if kind != "assigned" else "ben"
        at = timeline.at(event_day, event_hour)
        issue.apply(Event(kind, at, actor, value, state.next_id()))  # type: ignore[arg-type]
