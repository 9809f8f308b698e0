"""Hand-written Jira JSON → the Items and Changes okrsync stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from okrsync_jira import FieldCatalog
from okrsync_jira.normalize import (
    issue_fields,
    item_type,
    normalize_changes,
    normalize_issue,
    normalize_sprint,
    parse_time,
    sprint_ids,
    unresolved_parent_ids,
)

from okrsync.errors import ProtocolError
from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
CATALOG = FieldCatalog.from_json(
    [
        {"id": "summary", "name": "Summary", "schema": {"type": "string"}},
        {"id": "status", "name": "Status", "schema": {"type": "status"}},
        {
            "id": "customfield_10014",
            "name": "Epic Link",
            "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"},
        },
        {
            "id": "customfield_10016",
            "name": "Story point estimate",
            "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
        },
        {
            "id": "customfield_10020",
            "name": "Sprint",
            "schema": {"type": "array", "custom": "com.pyxis.greenhopper.jira:gh-sprint"},
        },
        {"id": "customfield_10100", "name": "KR Progress", "schema": {"type": "number"}},
        {"id": "customfield_10300", "name": "Impact", "schema": {"type": "option"}},
    ],
    [
        {"id": "10000", "name": "To Do", "statusCategory": {"key": "new"}},
        {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        {"id": "10003", "name": "In Review", "statusCategory": {"key": "indeterminate"}},
        {"id": "10001", "name": "Done", "statusCategory": {"key": "done"}},
    ],
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


STORY: dict[str, Any] = {
    "id": "10005",
    "key": "SHOP-5",
    "fields": {
        "summary": "One-click pay",
        "issuetype": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
        "status": {
            "id": "10003",
            "name": "In Review",
            "statusCategory": {"id": 4, "key": "indeterminate"},
        },
        "project": {"id": "10000", "key": "SHOP"},
        "created": "2027-01-05T10:00:00.000+0100",
        "updated": "2027-01-12T08:30:15.250+0000",
        "resolutiondate": None,
        "parent": {"id": "10001", "key": "SHOP-1", "fields": {"summary": "Checkout"}},
        "labels": ["checkout", "web"],
        "customfield_10016": 5,
        "customfield_10020": [
            {"id": 12, "name": "Sprint 2", "state": "active", "boardId": 1},
            {"id": 11, "name": "Sprint 1", "state": "closed", "boardId": 1},
        ],
        "customfield_10100": 42.5,
        "customfield_10300": {"id": "1", "value": "High"},
    },
}


def test_an_issue_becomes_an_item() -> None:
    item = normalize_issue(
        STORY,
        CATALOG,
        source="jira",
        extra_fields={"KR Progress": "customfield_10100", "impact": "customfield_10300"},
    )
    assert item == Item(
        source="jira",
        key="SHOP-5",
        id="10005",
        project="SHOP",
        type=ItemType.STORY,
        type_name="Story",
        summary="One-click pay",
        status="In Review",
        status_category=StatusCategory.IN_PROGRESS,
        created=utc(2027, 1, 5, 9, 0),
        updated=utc(2027, 1, 12, 8, 30, 15, 250000),
        resolved=None,
        estimate=5.0,
        parent="SHOP-1",
        sprints=("11", "12"),
        labels=("checkout", "web"),
        fields={"KR Progress": 42.5, "impact": "High"},
    )
    assert item.created.tzinfo is UTC


def test_a_done_bug_with_an_epic_link_and_no_estimate() -> None:
    raw = {
        "id": "10009",
        "key": "OPS-9",
        "fields": {
            "summary": "Crash",
            "issuetype": {"name": "Bug"},
            "status": {"id": "10001", "name": "Erledigt"},
            "project": {"key": "OPS"},
            "created": "2027-02-01T00:00:00.000-0500",
            "updated": "2027-02-02T00:00:00.000Z",
            "resolutiondate": "2027-02-02T00:00:00.000+0000",
            "customfield_10014": "OPS-1",
            "customfield_10016": None,
            "customfield_10020": None,
        },
    }
    item = normalize_issue(raw, CATALOG, source="jira")
    # No category in the issue JSON: the catalog knows status 10001 is done.
    assert item.status_category is StatusCategory.DONE
    assert item.status == "Erledigt"
    assert item.created == utc(2027, 2, 1, 5, 0)
    assert item.resolved == utc(2027, 2, 2)
    assert (item.type, item.parent, item.estimate, item.sprints, item.labels) == (
        ItemType.BUG,
        "OPS-1",
        None,
        (),
        (),
    )


def test_an_issue_without_created_is_a_protocol_error() -> None:
    raw = {"id": "1", "key": "X-1", "fields": {"status": {"name": "To Do"}}}
    with pytest.raises(ProtocolError, match="X-1"):
        normalize_issue(raw, CATALOG, source="jira")


@pytest.mark.parametrize(
    ("issuetype", "expected"),
    [
        ({"name": "Epic", "hierarchyLevel": 1}, ItemType.EPIC),
        ({"name": "Story"}, ItemType.STORY),
        ({"name": "task"}, ItemType.TASK),
        ({"name": "Bug"}, ItemType.BUG),
        ({"name": "Sub-task"}, ItemType.SUBTASK),
        ({"name": "Subtask"}, ItemType.SUBTASK),
        ({"name": "Teilaufgabe", "subtask": True}, ItemType.SUBTASK),
        ({"name": "Unteraufgabe", "hierarchyLevel": -1}, ItemType.SUBTASK),
        ({"name": "Objective", "hierarchyLevel": 1}, ItemType.OTHER),
        ({"name": "Key Result"}, ItemType.OTHER),
    ],
)
def test_item_types(issuetype: dict[str, Any], expected: ItemType) -> None:
    assert item_type(issuetype) is expected


def test_times() -> None:
    assert parse_time("2027-01-05T10:00:00.000+0100") == utc(2027, 1, 5, 9)
    assert parse_time("2027-01-05T10:00:00Z") == utc(2027, 1, 5, 10)
    assert parse_time(1_800_000_000_000) == utc(2027, 1, 15, 8, 0)
    assert parse_time(1_800_000_000) == utc(2027, 1, 15, 8, 0)


def test_sprint_ids_from_cloud_objects_and_data_center_strings() -> None:
    legacy = [
        "com.atlassian.greenhopper.service.sprint.Sprint@5e1c[id=7,rapidViewId=3,state=CLOSED]",
        "com.atlassian.greenhopper.service.sprint.Sprint@9a2b[id=10,rapidViewId=3,state=ACTIVE]",
    ]
    assert sprint_ids(legacy) == ("10", "7")
    assert sprint_ids([{"id": 3}, {"id": 3}]) == ("3",)
    assert sprint_ids(None) == ()


HISTORIES: list[dict[str, Any]] = [
    {
        "id": "20002",
        "created": "2027-01-07T12:00:00.000+0000",
        "items": [
            {
                "field": "status",
                "fieldId": "status",
                "from": "3",
                "fromString": "In Progress",
                "to": "10003",
                "toString": "In Review",
            },
            {
                "field": "Sprint",
                "fieldId": "customfield_10020",
                "from": "11",
                "fromString": "Sprint 1",
                "to": "12, 11",
                "toString": "Sprint 1, Sprint 2",
            },
            {
                "field": "Story point estimate",
                "fieldId": "customfield_10016",
                "from": None,
                "fromString": "3",
                "to": None,
                "toString": "5",
            },
        ],
    },
    {
        "id": "20001",
        "created": "2027-01-06T09:00:00.000+0100",
        "items": [
            {
                "field": "status",
                "fieldId": "status",
                "from": "10000",
                "fromString": "To Do",
                "to": "3",
                "toString": "In Progress",
            },
            {
                "field": "Story point estimate",
                "fieldId": "customfield_10016",
                "fromString": None,
                "toString": "3",
            },
            {"field": "assignee", "fieldId": "assignee", "from": None, "to": "abc"},
        ],
    },
    {
        "id": "20003",
        "created": 1_800_000_000_000,
        "items": [
            {
                "field": "IssueParentAssociation",
                "fieldtype": "jira",
                "from": None,
                "fromString": None,
                "to": "10001",
                "toString": None,
            },
            {
                "field": "Epic Link",
                "fieldId": "customfield_10014",
                "from": "10042",
                "fromString": None,
                "to": None,
                "toString": None,
            },
        ],
    },
]


def test_changelog_histories_become_changes() -> None:
    changes = normalize_changes(
        "SHOP-5", HISTORIES, CATALOG, source="jira", issue_keys={"10001": "SHOP-1"}
    )

    def change(at: datetime, field: TrackedField, old: str | None, new: str | None, cid: str):
        return Change("jira", "SHOP-5", at, field, old, new, cid)

    first, second = utc(2027, 1, 6, 8), utc(2027, 1, 7, 12)
    third = utc(2027, 1, 15, 8)
    assert changes == [
        change(first, TrackedField.STATUS, "To Do", "In Progress", "20001"),
        change(first, TrackedField.STATUS_CATEGORY, "todo", "in_progress", "20001"),
        change(first, TrackedField.ESTIMATE, None, "3.0", "20001"),
        # In Progress → In Review keeps the category: no category change.
        change(second, TrackedField.STATUS, "In Progress", "In Review", "20002"),
        change(second, TrackedField.SPRINT, "11", "11,12", "20002"),
        change(second, TrackedField.ESTIMATE, "3.0", "5.0", "20002"),
        # Parent set and epic link cleared in one history: one parent change.
        change(third, TrackedField.PARENT, "10042", "SHOP-1", "20003"),
    ]
    # The epic link's old value is an id Jira gave no key for: the pull looks it up.
    assert unresolved_parent_ids(changes) == {"10042"}


def test_fields_asked_for() -> None:
    assert issue_fields(CATALOG, ["customfield_10100", "summary"]) == [
        "summary",
        "issuetype",
        "status",
        "project",
        "created",
        "updated",
        "resolutiondate",
        "parent",
        "labels",
        "customfield_10016",
        "customfield_10020",
        "customfield_10014",
        "customfield_10100",
    ]


def test_a_sprint() -> None:
    raw = {
        "id": 11,
        "state": "closed",
        "name": "Sprint 1",
        "startDate": "2027-01-04T09:00:00.000Z",
        "endDate": "2027-01-18T09:00:00.000Z",
        "completeDate": "2027-01-18T15:30:00.000+0100",
        "originBoardId": 1,
    }
    assert normalize_sprint(raw, source="jira", board_id="2") == Sprint(
        source="jira",
        id="11",
        name="Sprint 1",
        state="closed",
        board_id="1",
        start=utc(2027, 1, 4, 9),
        end=utc(2027, 1, 18, 9),
        completed=utc(2027, 1, 18, 14, 30),
    )
