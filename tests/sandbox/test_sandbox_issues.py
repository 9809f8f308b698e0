"""Reading and changing single issues, with the changelog Jira would write."""

from __future__ import annotations

import httpx
import pytest
from okrsync_sandbox import SandboxServer
from sandbox_times import NOW

NOT_ON_SCREEN = "Field '{0}' cannot be set. It is not on the appropriate screen, or unknown."


def test_get_issue_with_all_fields(http: httpx.Client) -> None:
    issue = http.get("/rest/api/3/issue/SHOP-104").json()
    assert (issue["id"], issue["key"]) == ("10005", "SHOP-104")
    fields = issue["fields"]
    assert fields["summary"] == "One-click button on product page"
    assert fields["status"]["name"] == "Done"
    assert fields["status"]["statusCategory"] == {
        "self": f"{http.base_url}/rest/api/3/statuscategory/3",
        "id": 3,
        "key": "done",
        "colorName": "green",
        "name": "Done",
    }
    assert fields["issuetype"]["name"] == "Story"
    assert fields["project"]["key"] == "SHOP"
    assert fields["created"] == "2026-12-15T10:00:00.000+0000"
    assert fields["resolutiondate"] == "2027-01-10T14:00:00.000+0000"
    assert fields["resolution"]["name"] == "Done"
    assert fields["customfield_10016"] == 8.0
    assert fields["customfield_10014"] == "SHOP-100"
    assert fields["parent"]["key"] == "SHOP-100"
    assert fields["parent"]["fields"]["issuetype"]["name"] == "Epic"
    assert [s["id"] for s in fields["customfield_10020"]] == [1, 2]
    assert fields["customfield_10020"][1] == {
        "id": 2,
        "name": "SHOP Sprint 2",
        "state": "closed",
        "boardId": 1,
        "goal": "SHOP sprint 2 goal",
        "startDate": "2027-01-01T09:00:00.000Z",
        "endDate": "2027-01-15T09:00:00.000Z",
        "completeDate": "2027-01-15T08:00:00.000Z",
    }
    assert [s["key"] for s in fields["subtasks"]] == ["SHOP-107"]
    assert fields["comment"]["total"] == 2
    assert "customfield_10100" not in fields  # KR Progress is not in a story's context


def test_get_issue_by_id_and_with_selected_fields(http: httpx.Client) -> None:
    issue = http.get("/rest/api/3/issue/10005", params={"fields": "summary,labels"}).json()
    assert issue["key"] == "SHOP-104"
    assert issue["fields"] == {"summary": "One-click button on product page", "labels": []}


def test_timestamps_follow_the_callers_time_zone(site: SandboxServer) -> None:
    site.state.users["61a0b0c0d0e0f00000000001"].time_zone = "Europe/Berlin"
    issue = httpx.get(
        f"{site.url}/rest/api/3/issue/SHOP-104", params={"fields": "created"}, auth=site.auth
    ).json()
    assert issue["fields"]["created"] == "2026-12-15T11:00:00.000+0100"


def test_unknown_issue_is_404(http: httpx.Client) -> None:
    for path in ("/rest/api/3/issue/SHOP-999", "/rest/api/3/issue/99999/changelog"):
        response = http.get(path)
        assert response.status_code == 404
        assert response.json() == {
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        }


def test_setting_kr_progress_records_history_and_bumps_updated(
    site: SandboxServer, client: httpx.Client
) -> None:
    response = client.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": 42.5}})
    assert response.status_code == 204
    issue = client.get(
        "/rest/api/3/issue/OKR-12", params={"fields": "customfield_10100,updated"}
    ).json()
    assert issue["fields"] == {"customfield_10100": 42.5, "updated": "2027-02-20T12:00:00.000+0000"}
    history = site.state.get("OKR-12").histories[-1]
    assert history.created == NOW
    assert [(i.field, i.field_id, i.from_string, i.to_string) for i in history.items] == [
        ("KR Progress", "customfield_10100", None, "42.5")
    ]


def test_writing_the_same_value_changes_nothing(site: SandboxServer, client: httpx.Client) -> None:
    issue = site.state.get("OKR-8")
    before = (issue.updated, len(issue.histories))
    assert (
        client.put(
            "/rest/api/3/issue/OKR-8", json={"fields": {"customfield_10100": 40}}
        ).status_code
        == 204
    )
    assert (issue.updated, len(issue.histories)) == before


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("OKR-7", "customfield_10100"),  # a Task: KR Progress is not on its screen
        ("SHOP-104", "customfield_10100"),
        ("OKR-12", "customfield_123"),  # no such field
        ("OKR-12", "KR Progress"),  # names are not field ids
        ("SHOP-104", "created"),  # not editable
    ],
)
def test_fields_off_the_screen_are_refused(client: httpx.Client, key: str, field: str) -> None:
    response = client.put(f"/rest/api/3/issue/{key}", json={"fields": {field: 10}})
    assert response.status_code == 400
    assert response.json() == {"errorMessages": [], "errors": {field: NOT_ON_SCREEN.format(field)}}


@pytest.mark.parametrize("value", ["42", True, [1], {"value": 1}])
def test_number_fields_want_numbers(client: httpx.Client, value: object) -> None:
    response = client.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": value}})
    assert response.status_code == 400
    assert response.json() == {
        "errorMessages": [],
        "errors": {"customfield_10100": "Operation value must be a number"},
    }


def test_a_failed_edit_changes_nothing(site: SandboxServer, client: httpx.Client) -> None:
    response = client.put(
        "/rest/api/3/issue/OKR-12",
        json={"fields": {"customfield_10100": 10, "customfield_10016": 3}},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"customfield_10016"}
    assert site.state.get("OKR-12").custom.get("customfield_10100") is None


def test_story_points_sprint_and_parent_changes_are_in_the_changelog(
    site: SandboxServer, client: httpx.Client
) -> None:
    body = {
        "fields": {"customfield_10016": 5, "customfield_10020": 6, "parent": {"key": "SHOP-102"}}
    }
    assert client.put("/rest/api/3/issue/SHOP-113", json=body).status_code == 204
    page = client.get("/rest/api/3/issue/SHOP-113/changelog").json()
    last = page["values"][-1]
    assert last["created"] == "2027-02-20T12:00:00.000+0000"
    items = {i["fieldId"]: i for i in last["items"]}
    assert items["customfield_10016"]["fromString"] is None
    assert items["customfield_10016"]["toString"] == "5"
    # Moving to sprint 6 replaces the open sprint 5 (no closed sprints to keep).
    assert (items["customfield_10020"]["from"], items["customfield_10020"]["to"]) == ("5", "6")
    assert items["parent"]["field"] == "IssueParentAssociation"
    assert (items["parent"]["fromString"], items["parent"]["toString"]) == ("SHOP-100", "SHOP-102")
    assert site.state.get("SHOP-113").custom["customfield_10014"] == "SHOP-102"


def test_moving_an_issue_keeps_its_closed_sprints(
    site: SandboxServer, client: httpx.Client
) -> None:
    assert (
        client.put(
            "/rest/api/3/issue/SHOP-112", json={"fields": {"customfield_10020": 6}}
        ).status_code
        == 204
    )
    assert site.state.get("SHOP-112").custom["customfield_10020"] == [3, 4, 6]
    closed = client.put("/rest/api/3/issue/SHOP-112", json={"fields": {"customfield_10020": 2}})
    assert closed.status_code == 400


def test_labels_via_update_operations(site: SandboxServer, client: httpx.Client) -> None:
    body = {"update": {"labels": [{"add": "okr"}, {"remove": "mobile"}]}}
    assert client.put("/rest/api/3/issue/SHOP-116", json=body).status_code == 204
    assert site.state.get("SHOP-116").labels == ["okr"]


def test_description_must_be_adf(client: httpx.Client) -> None:
    response = client.put("/rest/api/3/issue/SHOP-113", json={"fields": {"description": "plain"}})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "description": (
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        )
    }


def test_transitions_move_issues_and_write_history(
    site: SandboxServer, client: httpx.Client
) -> None:
    listed = client.get("/rest/api/3/issue/SHOP-113/transitions").json()
    assert [(t["id"], t["name"]) for t in listed["transitions"]] == [
        ("21", "In Progress"),
        ("31", "In Review"),
        ("41", "Done"),
    ]
    assert (
        client.post(
            "/rest/api/3/issue/SHOP-113/transitions", json={"transition": {"id": "41"}}
        ).status_code
        == 204
    )
    issue = site.state.get("SHOP-113")
    assert (issue.status.name, issue.resolution.name if issue.resolution else None) == (
        "Done",
        "Done",
    )
    assert issue.resolutiondate == NOW
    items = [(i.field, i.from_string, i.to_string) for i in issue.histories[-1].items]
    assert items == [("status", "To Do", "Done"), ("resolution", None, "Done")]
    again = client.post("/rest/api/3/issue/SHOP-113/transitions", json={"transition": {"id": "41"}})
    assert again.status_code == 400
    assert again.json()["errorMessages"] == ["Transition id '41' is not valid for this issue."]


def test_reopening_clears_the_resolution(site: SandboxServer, client: httpx.Client) -> None:
    assert (
        client.post(
            "/rest/api/3/issue/PAY-2/transitions", json={"transition": {"id": "21"}}
        ).status_code
        == 204
    )
    issue = site.state.get("PAY-2")
    assert (issue.status.name, issue.resolution, issue.resolutiondate) == ("In Arbeit", None, None)


def test_create_issue(site: SandboxServer, client: httpx.Client) -> None:
    body = {
        "fields": {
            "project": {"key": "OKR"},
            "issuetype": {"name": "Key Result"},
            "summary": "Checkout p95 latency under 800 ms",
            "parent": {"key": "OKR-1"},
            "customfield_10100": 0,
        }
    }
    response = client.post("/rest/api/3/issue", json=body)
    assert response.status_code == 201
    assert response.json() == {
        "id": "10037",
        "key": "OKR-13",
        "self": f"{site.url}/rest/api/3/issue/10037",
    }
    issue = site.state.get("OKR-13")
    assert (issue.created, issue.status.name, issue.parent and issue.parent.key) == (
        NOW,
        "To Do",
        "OKR-1",
    )
    assert issue.histories == []
    found = client.get(
        "/rest/api/3/search/jql",
        params={"jql": "parent = OKR-1 AND created >= -1h", "fields": "key"},
    )
    assert [i["key"] for i in found.json()["issues"]] == ["OKR-13"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"issuetype": {"name": "Task"}, "summary": "x"},
            {"project": "Specify a valid project ID or key"},
        ),
        ({"project": {"key": "OKR"}, "summary": "x"}, {"issuetype": "Specify an issue type"}),
        (
            {"project": {"key": "OKR"}, "issuetype": {"name": "Bug"}, "summary": "x"},
            {"issuetype": "Specify an issue type"},
        ),
        (
            {"project": {"key": "OKR"}, "issuetype": {"name": "Task"}},
            {"summary": "You must specify a summary of the issue."},
        ),
        (
            {
                "project": {"key": "OKR"},
                "issuetype": {"name": "Task"},
                "summary": "x",
                "customfield_10100": 1,
            },
            {"customfield_10100": NOT_ON_SCREEN.format("customfield_10100")},
        ),
    ],
)
def test_create_validates(
    client: httpx.Client, fields: dict[str, object], errors: dict[str, str]
) -> None:
    response = client.post("/rest/api/3/issue", json={"fields": fields})
    assert response.status_code == 400
    assert response.json() == {"errorMessages": [], "errors": errors}


def test_create_sets_the_properties_it_is_sent(site: SandboxServer, client: httpx.Client) -> None:
    fields = {"project": {"key": "OKR"}, "issuetype": {"name": "Task"}, "summary": "x"}
    mark = {"kr": "ship", "created": True}
    body = {"fields": fields, "properties": [{"key": "okrsync-kr", "value": mark}]}
    key = client.post("/rest/api/3/issue", json=body).json()["key"]
    answer = client.get(f"/rest/api/3/issue/{key}/properties/okrsync-kr")
    assert answer.json() == {"key": "okrsync-kr", "value": mark}
    # Checked as a PUT of each would be; a refused one creates no issue.
    count = len(site.state.issues)
    too_long = [{"key": "k", "value": "x" * 40000}]
    for properties in ("okrsync-kr", [{"value": 1}], [{"key": "k"}], too_long):
        sent = {"fields": fields, "properties": properties}
        assert client.post("/rest/api/3/issue", json=sent).status_code == 400, properties
    assert len(site.state.issues) == count


def test_a_forbidden_project_refuses_writes_but_allows_reads(
    site: SandboxServer, client: httpx.Client
) -> None:
    site.state.forbidden_projects.add("OKR")
    put = client.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": 1}})
    assert put.status_code == 403
    assert put.json()["errorMessages"] == [
        "You do not have permission to edit issues in this project."
    ]
    assert (
        client.put("/rest/api/3/issue/OKR-12/properties/okrsync", json={"a": 1}).status_code == 403
    )
    assert client.get("/rest/api/3/issue/OKR-12").status_code == 200
    assert (
        client.put(
            "/rest/api/3/issue/SHOP-113", json={"fields": {"customfield_10016": 1}}
        ).status_code
        == 204
    )


def test_changelog_pages_oldest_first(http: httpx.Client) -> None:
    first = http.get("/rest/api/3/issue/SHOP-104/changelog", params={"maxResults": 4}).json()
    assert (first["startAt"], first["maxResults"], first["total"], first["isLast"]) == (
        0,
        4,
        6,
        False,
    )
    assert [v["created"][:10] for v in first["values"]] == [
        "2026-12-17",
        "2026-12-27",
        "2027-01-01",
        "2027-01-04",
    ]
    rest = http.get("/rest/api/3/issue/SHOP-104/changelog", params={"startAt": 4}).json()
    assert rest["isLast"] is True
    assert [v["items"][0]["toString"] for v in rest["values"]] == ["In Review", "Done"]


def test_editmeta_lists_the_screen(http: httpx.Client) -> None:
    kr = http.get("/rest/api/3/issue/OKR-12/editmeta").json()["fields"]
    task = http.get("/rest/api/3/issue/OKR-7/editmeta").json()["fields"]
    assert "customfield_10100" in kr
    assert "customfield_10100" not in task
