"""Boards, board configuration and sprints (Jira Software's Agile API)."""

from __future__ import annotations

import httpx


def test_boards_filter_by_project(http: httpx.Client) -> None:
    page = http.get("/rest/agile/1.0/board").json()
    assert [(b["id"], b["name"], b["type"]) for b in page["values"]] == [
        (1, "SHOP board", "scrum"),
        (2, "PAY board", "scrum"),
        (3, "OKR board", "kanban"),
    ]
    assert (page["startAt"], page["total"], page["isLast"]) == (0, 3, True)
    shop = http.get("/rest/agile/1.0/board", params={"projectKeyOrId": "SHOP"}).json()
    assert [b["id"] for b in shop["values"]] == [1]
    assert shop["values"][0]["location"]["projectKey"] == "SHOP"
    by_id = http.get("/rest/agile/1.0/board", params={"projectKeyOrId": "10001"}).json()
    assert [b["id"] for b in by_id["values"]] == [2]
    paged = http.get("/rest/agile/1.0/board", params={"maxResults": 2, "startAt": 2}).json()
    assert [b["id"] for b in paged["values"]] == [3]


def test_board_configuration_names_the_estimation_field(http: httpx.Client) -> None:
    config = http.get("/rest/agile/1.0/board/1/configuration").json()
    assert config["estimation"] == {
        "type": "field",
        "field": {"fieldId": "customfield_10016", "displayName": "Story point estimate"},
    }
    assert [c["name"] for c in config["columnConfig"]["columns"]] == [
        "To Do",
        "In Progress",
        "In Review",
        "Done",
    ]
    assert http.get("/rest/agile/1.0/board/3/configuration").json()["estimation"] == {
        "type": "issueCount"
    }
    assert http.get("/rest/agile/1.0/board/99/configuration").status_code == 404


def test_board_sprints_with_state_filter(http: httpx.Client) -> None:
    everything = http.get("/rest/agile/1.0/board/1/sprint").json()["values"]
    assert [(s["id"], s["state"]) for s in everything] == [
        (1, "closed"),
        (2, "closed"),
        (3, "closed"),
        (4, "closed"),
        (5, "active"),
        (6, "future"),
    ]
    assert everything[0] == {
        "id": 1,
        "self": f"{http.base_url}/rest/agile/1.0/sprint/1",
        "state": "closed",
        "name": "SHOP Sprint 1",
        "startDate": "2026-12-18T09:00:00.000Z",
        "endDate": "2027-01-01T09:00:00.000Z",
        "completeDate": "2027-01-01T08:00:00.000Z",
        "originBoardId": 1,
        "goal": "SHOP sprint 1 goal",
    }
    assert "startDate" not in everything[5]
    open_ = http.get("/rest/agile/1.0/board/2/sprint", params={"state": "active,future"}).json()
    assert [s["name"] for s in open_["values"]] == ["PAY Sprint 5", "PAY Sprint 6"]
    kanban = http.get("/rest/agile/1.0/board/3/sprint")
    assert kanban.status_code == 400
    assert kanban.json()["errorMessages"] == ["The board does not support sprints"]


def test_sprint_and_its_issues(http: httpx.Client) -> None:
    sprint = http.get("/rest/agile/1.0/sprint/5").json()
    assert (sprint["name"], sprint["state"], sprint["originBoardId"]) == (
        "SHOP Sprint 5",
        "active",
        1,
    )
    issues = http.get("/rest/agile/1.0/sprint/5/issue", params={"fields": "summary"}).json()
    assert [i["key"] for i in issues["issues"]] == ["SHOP-112", "SHOP-113", "SHOP-114", "SHOP-116"]
    assert issues["total"] == 4
    done = http.get(
        "/rest/agile/1.0/sprint/5/issue", params={"jql": "statusCategory = Done"}
    ).json()
    assert [i["key"] for i in done["issues"]] == ["SHOP-116"]
    assert http.get("/rest/agile/1.0/sprint/77").status_code == 404
