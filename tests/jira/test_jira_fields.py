"""FieldCatalog: agile fields found by schema type, names resolved safely, statuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from jira_site import SITE
from okrsync_jira import FieldCatalog, JiraClient

from okrsync.errors import FieldNotFound, SourceConfigError
from okrsync.items import StatusCategory

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"


def field(id: str, name: str, type_: str = "string", custom: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_}
    if custom:
        schema["custom"] = custom
    return {"id": id, "key": id, "name": name, "custom": custom is not None, "schema": schema}


FIELDS = [
    field("summary", "Summary"),
    field("status", "Status", "status"),
    field("parent", "Parent"),
    field("customfield_10014", "Epic Link", "any", "com.pyxis.greenhopper.jira:gh-epic-link"),
    field(
        "customfield_10016",
        "Story point estimate",
        "number",
        "com.pyxis.greenhopper.jira:jsw-story-points",
    ),
    field("customfield_10020", "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint"),
    field("customfield_10028", "Story Points", "number", FLOAT),
    field("customfield_10100", "KR Progress", "number", FLOAT),
    field("customfield_10200", "Team", "string", "x:text"),
    field("customfield_10201", "team", "string", "x:text"),
]

STATUSES = [
    {"id": "10000", "name": "To Do", "statusCategory": {"id": 2, "key": "new"}},
    {"id": "3", "name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate"}},
    {"id": "10001", "name": "Done", "statusCategory": {"id": 3, "key": "done"}},
    {"id": "10002", "name": "Limbo", "statusCategory": {"id": 1, "key": "undefined"}},
]


def test_agile_fields_are_found_by_schema_type() -> None:
    catalog = FieldCatalog.from_json(FIELDS, STATUSES)
    assert catalog.story_points is not None and catalog.story_points.id == "customfield_10016"
    assert catalog.sprint is not None and catalog.sprint.id == "customfield_10020"
    assert catalog.epic_link is not None and catalog.epic_link.id == "customfield_10014"
    assert catalog.tracked_field_ids() == [
        "status",
        "parent",
        "customfield_10016",
        "customfield_10020",
        "customfield_10014",
    ]


def test_story_points_fall_back_to_the_number_field_named_story_points() -> None:
    without_jsw = [f for f in FIELDS if f["id"] != "customfield_10016"]
    catalog = FieldCatalog.from_json(without_jsw, STATUSES)
    assert catalog.story_points is not None and catalog.story_points.id == "customfield_10028"


def test_no_agile_fields_on_a_plain_site() -> None:
    catalog = FieldCatalog.from_json(FIELDS[:3], STATUSES)
    assert (catalog.story_points, catalog.sprint, catalog.epic_link) == (None, None, None)
    assert catalog.tracked_field_ids() == ["status", "parent"]


def test_overrides_win_by_name_or_id() -> None:
    catalog = FieldCatalog.from_json(
        FIELDS, STATUSES, story_points_field="story points", sprint_field="customfield_10020"
    )
    assert catalog.story_points is not None and catalog.story_points.id == "customfield_10028"
    assert catalog.sprint is not None and catalog.sprint.id == "customfield_10020"


def test_an_unknown_override_is_field_not_found() -> None:
    with pytest.raises(FieldNotFound, match="'Velocity Points'"):
        FieldCatalog.from_json(FIELDS, STATUSES, story_points_field="Velocity Points")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("KR Progress", "customfield_10100"),
        ("kr progress", "customfield_10100"),
        ("  KR PROGRESS ", "customfield_10100"),
        ("customfield_10100", "customfield_10100"),
        ("CUSTOMFIELD_10100", "customfield_10100"),
        ("cf[10100]", "customfield_10100"),
        ("summary", "summary"),
        ("story_points", "customfield_10016"),
        ("sprint", "customfield_10020"),
        ("epic_link", "customfield_10014"),
    ],
)
def test_resolve(written: str, expected: str) -> None:
    assert FieldCatalog.from_json(FIELDS, STATUSES).resolve(written).id == expected


def test_an_ambiguous_name_lists_the_ids() -> None:
    catalog = FieldCatalog.from_json(FIELDS, STATUSES, source="jira")
    with pytest.raises(SourceConfigError) as raised:
        catalog.resolve("Team")
    assert str(raised.value) == (
        "jira: field name 'Team' matches several Jira fields (customfield_10200, "
        "customfield_10201); write the id of the one you mean instead"
    )
    # The id still picks one of them.
    assert catalog.resolve("customfield_10201").name == "team"


def test_an_unknown_field() -> None:
    catalog = FieldCatalog.from_json(FIELDS, STATUSES)
    assert catalog.find("Business Value") is None
    with pytest.raises(FieldNotFound):
        catalog.resolve("Business Value")


def test_status_categories_by_status_id() -> None:
    catalog = FieldCatalog.from_json(FIELDS, STATUSES)
    assert catalog.status_category("10000") is StatusCategory.TODO
    assert catalog.status_category("3") is StatusCategory.IN_PROGRESS
    assert catalog.status_category("10001") is StatusCategory.DONE
    assert catalog.status_category("10002") is StatusCategory.TODO
    assert catalog.status_category("999") is None
    assert catalog.status_category(None) is None


def test_number_fields_are_recognized() -> None:
    catalog = FieldCatalog.from_json(FIELDS, STATUSES)
    assert catalog.resolve("KR Progress").is_number
    assert not catalog.resolve("summary").is_number


@pytest.mark.anyio
async def test_load_reads_fields_and_statuses_with_two_requests(
    cloud_settings: dict[str, Any],
) -> None:
    settings = {**cloud_settings, "story_points_field": "Story Points"}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/rest/api/3/field").mock(return_value=httpx.Response(200, json=FIELDS))
        mock.get("/rest/api/3/status").mock(return_value=httpx.Response(200, json=STATUSES))
        async with JiraClient.from_mapping(settings) as jira:
            catalog = await FieldCatalog.load(jira)
            assert jira.requests == 2
    assert catalog.story_points is not None and catalog.story_points.id == "customfield_10028"
    assert catalog.status_category("3") is StatusCategory.IN_PROGRESS
