"""Bulk fetch of issues and of changelogs: limits, order, errors, paging."""

from __future__ import annotations

import httpx
import pytest
from okrsync_sandbox import SandboxServer
from okrsync_sandbox.endpoint import BulkJSONResponse
from starlette.responses import JSONResponse

BULK = "/rest/api/3/issue/bulkfetch"
CHANGES = "/rest/api/3/changelog/bulkfetch"


def test_bulkfetch_returns_issues_in_request_order(http: httpx.Client) -> None:
    body = {
        "issueIdsOrKeys": ["OKR-12", "10005", "NOPE-1", "SHOP-104", "99999"],
        "fields": ["status"],
    }
    answer = http.post(BULK, json=body).json()
    # Unknown ids are left out (not errors), and SHOP-104 = 10005 comes once.
    assert [(i["key"], i["fields"]["status"]["name"]) for i in answer["issues"]] == [
        ("OKR-12", "To Do"),
        ("SHOP-104", "Done"),
    ]
    assert answer["issueErrors"] == []


def test_bulkfetch_defaults_to_navigable_fields(http: httpx.Client) -> None:
    answer = http.post(BULK, json={"issueIdsOrKeys": ["SHOP-104"]}).json()
    fields = answer["issues"][0]["fields"]
    assert {"summary", "status", "customfield_10016", "customfield_10020"} <= set(fields)
    assert "comment" not in fields


@pytest.mark.parametrize("count", [0, 101])
def test_bulkfetch_takes_one_to_a_hundred_ids(http: httpx.Client, count: int) -> None:
    response = http.post(BULK, json={"issueIdsOrKeys": [f"SHOP-{100 + n}" for n in range(count)]})
    assert response.status_code == 400
    assert "between 1 and 100" in response.json()["errorMessages"][0]


def test_bulkfetch_takes_exactly_a_hundred(http: httpx.Client) -> None:
    ids = [str(10001 + n) for n in range(100)]
    answer = http.post(BULK, json={"issueIdsOrKeys": ids, "fields": ["key"]}).json()
    assert len(answer["issues"]) == 36  # the seeded site has 36 issues


def test_bulkfetch_reports_retriable_failures_in_issue_errors(site: SandboxServer) -> None:
    site.state.bulkfetch_failures.add("SHOP-105")
    answer = httpx.post(
        f"{site.url}{BULK}", json={"issueIdsOrKeys": ["SHOP-104", "SHOP-105"]}, auth=site.auth
    ).json()
    assert [i["key"] for i in answer["issues"]] == ["SHOP-104"]
    assert answer["issueErrors"] == [
        {
            "id": "10006",
            "errorMessage": (
                "Issue could not be retrieved because of a temporary problem. Retry later."
            ),
        }
    ]


def test_bulkfetch_rejects_undocumented_body_fields(http: httpx.Client) -> None:
    assert http.post(BULK, json={"issueIdsOrKeys": ["SHOP-104"], "startAt": 0}).status_code == 400


def test_changelog_bulkfetch_shape_and_order(http: httpx.Client) -> None:
    answer = http.post(
        CHANGES, json={"issueIdsOrKeys": ["SHOP-105", "SHOP-102", "SHOP-106"]}
    ).json()
    assert "nextPageToken" not in answer
    # SHOP-102 has no history and does not appear.
    assert [log["issueId"] for log in answer["issueChangeLogs"]] == ["10006", "10007"]
    histories = answer["issueChangeLogs"][0]["changeHistories"]
    assert [h["created"] for h in histories] == sorted(h["created"] for h in histories)
    assert [(i["fieldId"], i["toString"]) for h in histories for i in h["items"]] == [
        ("customfield_10020", "SHOP Sprint 2"),
        ("status", "In Progress"),
        ("status", "Done"),
        ("resolution", "Done"),
        ("status", "In Progress"),
        ("resolution", None),
        ("status", "Done"),
        ("resolution", "Done"),
    ]
    item = histories[0]["items"][0]
    assert set(item) == {"field", "fieldtype", "fieldId", "from", "fromString", "to", "toString"}


def test_changelog_bulkfetch_filters_by_field(http: httpx.Client) -> None:
    body = {"issueIdsOrKeys": ["SHOP-104"], "fieldIds": ["customfield_10016", "customfield_10020"]}
    histories = http.post(CHANGES, json=body).json()["issueChangeLogs"][0]["changeHistories"]
    assert [
        (i["field"], i["from"], i["to"], i["fromString"], i["toString"])
        for h in histories
        for i in h["items"]
    ] == [
        ("Sprint", None, "1", None, "SHOP Sprint 1"),
        ("Sprint", "1", "1, 2", "SHOP Sprint 1", "SHOP Sprint 1, SHOP Sprint 2"),
        ("Story point estimate", None, None, "5", "8"),
    ]


def test_changelog_bulkfetch_pages_by_token(http: httpx.Client) -> None:
    body = {"issueIdsOrKeys": ["SHOP-104", "SHOP-105"], "maxResults": 4}
    pages = [http.post(CHANGES, json=body).json()]
    while "nextPageToken" in pages[-1]:
        pages.append(
            http.post(CHANGES, json={**body, "nextPageToken": pages[-1]["nextPageToken"]}).json()
        )
    sizes = [
        [(log["issueId"], len(log["changeHistories"])) for log in p["issueChangeLogs"]]
        for p in pages
    ]
    # SHOP-104 has 6 histories and SHOP-105 5: the first issue continues on page two.
    assert sizes == [[("10005", 4)], [("10005", 2), ("10006", 2)], [("10006", 3)]]
    token = pages[0]["nextPageToken"]
    other = http.post(CHANGES, json={"issueIdsOrKeys": ["SHOP-105"], "nextPageToken": token})
    assert other.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"issueIdsOrKeys": []},
        {"issueIdsOrKeys": ["SHOP-104"] * 1001},
        {"issueIdsOrKeys": ["SHOP-104"], "fieldIds": [f"f{n}" for n in range(11)]},
        {"issueIdsOrKeys": ["SHOP-104"], "maxResults": 0},
        {"issueIdsOrKeys": ["SHOP-104"], "maxResults": 10001},
        {"fieldIds": ["status"]},
        {"issueIdsOrKeys": ["SHOP-104"], "expand": "changelog"},
    ],
)
def test_changelog_bulkfetch_limits(http: httpx.Client, body: dict[str, object]) -> None:
    assert http.post(CHANGES, json=body).status_code == 400


def test_changelog_bulkfetch_honours_max_results_up_to_ten_thousand(
    site: SandboxServer,
) -> None:
    # OKR-12 gets 1,200 more histories: more than the default page, fewer than asked for.
    before = len(site.state.get("OKR-12").histories)
    for n in range(1200):
        site.state.set_field("OKR-12", "customfield_10100", n)
    total = before + 1200
    with httpx.Client(base_url=site.url, auth=site.auth, verify=False) as http:
        whole = http.post(CHANGES, json={"issueIdsOrKeys": ["OKR-12"], "maxResults": 10000})
        default = http.post(CHANGES, json={"issueIdsOrKeys": ["OKR-12"]}).json()
        rest = http.post(
            CHANGES,
            json={"issueIdsOrKeys": ["OKR-12"], "nextPageToken": default["nextPageToken"]},
        ).json()
    assert whole.status_code == 200
    assert len(whole.json()["issueChangeLogs"][0]["changeHistories"]) == total
    assert "nextPageToken" not in whole.json()
    # Without maxResults a page holds the documented default, 1,000.
    assert len(default["issueChangeLogs"][0]["changeHistories"]) == 1000
    assert len(rest["issueChangeLogs"][0]["changeHistories"]) == total - 1000
    assert "nextPageToken" not in rest


def test_bulk_answers_are_the_text_starlette_would_write(http: httpx.Client) -> None:
    # Every seeded issue with every field, and every changelog: the bulk answers are
    # encoded by orjson, which must write what Starlette's JSONResponse writes.
    ids = [str(10001 + n) for n in range(36)]
    for path, body in (
        (BULK, {"issueIdsOrKeys": ids, "fields": ["*all"], "expand": ["names", "schema"]}),
        (CHANGES, {"issueIdsOrKeys": ids}),
    ):
        answer = http.post(path, json=body)
        assert answer.status_code == 200
        assert answer.content == JSONResponse(answer.json()).body
        assert len(answer.content) > 10_000  # the seeded issues, not an empty answer


def test_what_orjson_cannot_encode_is_encoded_as_starlette_does() -> None:
    content = {"big": 2**64, "text": "café"}
    assert (
        BulkJSONResponse(content).body
        == JSONResponse(content).body
        == ('{"big":18446744073709551616,"text":"café"}'.encode())
    )
