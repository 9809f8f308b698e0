"""Pulling from a real Redmine: values at several instants, hand-computed from the
seeded data (redmine_server.py's docstring)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest
from okrsync_redmine import RedmineConnector
from redmine_server import API_KEY
from redmine_workspace import RedmineWorkspace

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.items import ItemType, StatusCategory

BERLIN = ZoneInfo("Europe/Berlin")

MAPPING = """\
version: 1
cycle: 2026-Q3
defaults: {source: redmine}
objectives:
  - id: checkout
    title: Checkout
    key_results:
      - id: story-points
        title: Story points done
        select: {query: project_id=shop&tracker_id=4}
        measure: completion
        weight_by: story_points
      - id: shop-done
        title: Shop issues done
        select: {query: project_id=shop}
        measure: done
        target: 5
      - id: shop-bugs
        title: Bugs in the shop
        select: {query: project_id=shop, where: {type: bug}}
        measure: count
        target: 1
      - id: in-progress
        title: Shop issues in progress
        select: {query: project_id=shop, where: {status_category: in_progress}}
        measure: count
        target: 5
      - id: shop-velocity
        title: Shop velocity
        select: {query: project_id=shop}
        measure: {velocity: {last: 2}}
        target: 10
"""


@pytest.fixture(scope="module")
def workspace(redmine: str, tmp_path_factory: pytest.TempPathFactory) -> RedmineWorkspace:
    space = RedmineWorkspace(tmp_path_factory.mktemp("pull"), redmine, MAPPING)
    pulled = space.run("pull")
    assert pulled.exit_code == 0, pulled
    return space


def values_at(space: RedmineWorkspace, instant: str) -> dict[str, float]:
    outcome = space.run("--json", "plan", "--as-of", instant)
    assert outcome.exit_code == 0, outcome
    return {kr["id"]: kr["value"] for kr in outcome.json["key_results"]}


# (instant, {KR: value}): story points are #1 3, #2 5 then 8 (07-20), #5 2 (created
# 07-20); done means Closed or Rejected; Resolved and Feedback are in progress.
EXPECTED = [
    ("2026-06-01T00:00:00Z", {"story-points": None, "shop-done": 0, "shop-bugs": 0}),
    # #1 done (3 of 3 + 5); #2 and #4 in progress; no sprint closed yet.
    (
        "2026-07-12T00:00:00Z",
        {"story-points": 37.5, "shop-done": 1, "shop-bugs": 1, "in-progress": 2},
    ),
    # #3 rejected; #2 now 8 points, #5 added: 3 of 13. Sprint 1 closed (end of 07-14 in
    # Berlin) with #1's 3 points (#2 had moved to Sprint 2).
    (
        "2026-07-21T00:00:00Z",
        {"story-points": 300 / 13, "shop-done": 2, "in-progress": 2, "shop-velocity": 3.0},
    ),
    # #2 resolved: still open, still in progress.
    ("2026-07-26T00:00:00Z", {"story-points": 300 / 13, "shop-done": 2, "in-progress": 2}),
    # Sprint 2 closes at the end of its due date in the config's time zone (the
    # connector names none): 2026-07-29 00:00 in Berlin, 2026-07-28 22:00 UTC, with
    # nothing estimated done: (3 + 0) / 2.
    ("2026-07-28T21:59:00Z", {"shop-velocity": 3.0}),
    ("2026-07-28T22:01:00Z", {"shop-velocity": 1.5}),
    # #2 closed: 11 of 13; only #4 is still in progress.
    (
        "2026-08-02T00:00:00Z",
        {"story-points": 1100 / 13, "shop-done": 3, "in-progress": 1, "shop-velocity": 1.5},
    ),
]


@pytest.mark.parametrize(("instant", "expected"), EXPECTED, ids=[i for i, _ in EXPECTED])
def test_values_at_several_instants(
    workspace: RedmineWorkspace, instant: str, expected: dict[str, float | None]
) -> None:
    values = values_at(workspace, instant)
    assert {kr: values[kr] for kr in expected} == pytest.approx(expected)


def test_unknown_key_is_an_error_not_an_anonymous_read(workspace: RedmineWorkspace) -> None:
    # Redmine would serve the public projects to an unknown key as if anonymous.
    outcome = workspace.run("pull", key="0" * 40)
    assert outcome.exit_code == 1, outcome
    assert "does not know the API key" in outcome.stdout + outcome.stderr


async def _pull(connector: RedmineConnector, request: PullRequest) -> tuple[PullBatch, PullDone]:
    collected = PullBatch(items=[], changes=[])
    done: list[PullDone] = []
    async for event in connector.pull(request):
        if isinstance(event, PullDone):
            done.append(event)
        else:
            collected.items.extend(event.items)
            collected.changes.extend(event.changes)
    assert len(done) == 1
    return collected, done[0]


def test_items_history_sprints_and_requests(redmine: str) -> None:
    async def scenario() -> tuple[PullBatch, PullDone, PullBatch, PullDone]:
        settings = {"type": "redmine", "url": redmine, "token": API_KEY}
        async with RedmineConnector("redmine", settings) as connector:
            full = await _pull(connector, PullRequest("project_id=shop", timezone=BERLIN))
            keys = frozenset(full[1].members)
            later = PullRequest(
                "project_id=shop",
                since=full[1].cursor,
                known_keys=keys,
                members_swept_at=full[1].cursor,
            )
            return *full, *await _pull(connector, later)

    batch, done, again, done_again = asyncio.run(scenario())
    items = {item.key: item for item in batch.items}
    shown = {
        key: (i.type, i.type_name, i.project, i.parent, i.sprints, i.estimate, i.status_category)
        for key, i in items.items()
    }
    assert shown == {
        "1": (ItemType.STORY, "Story", "shop", None, ("1",), 3.0, StatusCategory.DONE),
        "2": (ItemType.STORY, "Story", "shop", None, ("2",), 8.0, StatusCategory.DONE),
        "3": (ItemType.BUG, "Bug", "shop", None, ("2",), None, StatusCategory.DONE),
        "4": (ItemType.STORY, "Feature", "shop", None, (), 1.0, StatusCategory.IN_PROGRESS),
        "5": (ItemType.STORY, "Story", "shop", "4", (), 2.0, StatusCategory.TODO),
    }
    history = [
        (c.at.isoformat(), c.field.value, c.from_value, c.to_value)
        for c in batch.changes
        if c.key == "2"
    ]
    assert history == [
        ("2026-07-08T09:00:00+00:00", "status", "New", "In Progress"),
        ("2026-07-08T09:00:00+00:00", "status_category", "todo", "in_progress"),
        ("2026-07-13T12:00:00+00:00", "sprint", "1", "2"),
        ("2026-07-20T10:00:00+00:00", "estimate", "5.0", "8.0"),
        ("2026-07-25T10:00:00+00:00", "status", "In Progress", "Resolved"),
        ("2026-07-25T10:00:00+00:00", "status_category", "in_progress", "in_progress"),
        ("2026-08-01T10:00:00+00:00", "status", "Resolved", "Closed"),
        ("2026-08-01T10:00:00+00:00", "status_category", "in_progress", "done"),
    ]
    sprints = {s.name: (s.state, s.completed and s.completed.isoformat()) for s in done.sprints}
    assert sprints == {
        "Sprint 1": ("closed", "2026-07-14T22:00:00+00:00"),
        "Sprint 2": ("closed", "2026-07-28T22:00:00+00:00"),
        "Sprint 3": ("active", None),
    }
    # The key check, statuses, trackers, projects; one page of issues; five journals;
    # the project's versions.
    assert done.requests == 4 + 1 + 5 + 1
    # Nothing changed since: the changed issues (none) and the members' count.
    assert (again.items, done_again.requests) == ([], 2)
    assert sorted(done_again.members, key=int) == ["1", "2", "3", "4", "5"]


def test_the_connectors_own_time_zone_overrides_the_configs(redmine: str) -> None:
    async def sprint_ends(settings: dict[str, str]) -> dict[str, str | None]:
        full = {"type": "redmine", "url": redmine, "token": API_KEY, **settings}
        async with RedmineConnector("redmine", full) as connector:
            _, done = await _pull(connector, PullRequest("project_id=shop", timezone=BERLIN))
        return {s.name: s.end and s.end.isoformat() for s in done.sprints}

    # Sprint 1 is due 2026-07-14: it ends at the next local midnight, 2026-07-15 00:00,
    # which is 22:00 UTC the day before in Berlin (CEST, UTC+2) and 00:00 UTC in UTC.
    assert asyncio.run(sprint_ends({}))["Sprint 1"] == "2026-07-14T22:00:00+00:00"
    assert asyncio.run(sprint_ends({"timezone": "UTC"}))["Sprint 1"] == "2026-07-15T00:00:00+00:00"
