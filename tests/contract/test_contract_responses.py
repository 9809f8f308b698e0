"""The sandbox's answers have the shapes Atlassian documents (see specs/README.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from contract_schema import Checker

ADF = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Progress: 40%"}]}],
}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_checker_rejects_undocumented_and_mistyped_properties(platform: Checker) -> None:
    schema = platform.response_schema("/rest/api/3/search/jql", "get")
    problems = platform.problems({"issues": [], "isLast": "yes", "total": 3}, schema)
    assert any("isLast" in p and "expected boolean" in p for p in problems)
    assert any("undocumented property 'total'" in p for p in problems)


@pytest.mark.parametrize(
    "params",
    [
        {"jql": "project = SHOP", "maxResults": 5},
        {"jql": "project = SHOP", "fields": "*all", "expand": "changelog,names,schema"},
        {
            "jql": "project = OKR",
            "fields": "summary,status,customfield_10100",
            "properties": "okrsync",
        },
        {"jql": "project = SHOP", "fields": "key"},
    ],
)
def test_search_jql_pages_match_search_and_reconcile_results(
    http: httpx.Client, platform: Checker, params: dict[str, Any]
) -> None:
    schema = platform.response_schema("/rest/api/3/search/jql", "get")
    page = _ok(http.get("/rest/api/3/search/jql", params=params))
    platform.assert_valid(page, schema)
    if "nextPageToken" in page:
        following = _ok(
            http.get(
                "/rest/api/3/search/jql", params={**params, "nextPageToken": page["nextPageToken"]}
            )
        )
        platform.assert_valid(following, schema)


def test_search_jql_post_body_and_answer_follow_the_spec(
    http: httpx.Client, platform: Checker
) -> None:
    body = {"jql": "parent = SHOP-100", "fields": ["summary", "customfield_10016"], "maxResults": 3}
    platform.assert_valid(body, platform.request_schema("/rest/api/3/search/jql", "post"))
    page = _ok(http.post("/rest/api/3/search/jql", json=body))
    platform.assert_valid(page, platform.response_schema("/rest/api/3/search/jql", "post"))


def test_approximate_count(http: httpx.Client, platform: Checker) -> None:
    body = {"jql": "project = PAY"}
    platform.assert_valid(
        body, platform.request_schema("/rest/api/3/search/approximate-count", "post")
    )
    answer = _ok(http.post("/rest/api/3/search/approximate-count", json=body))
    platform.assert_valid(
        answer, platform.response_schema("/rest/api/3/search/approximate-count", "post")
    )
    assert answer == {"count": 7}


def test_bulkfetch(http: httpx.Client, platform: Checker) -> None:
    body = {
        "issueIdsOrKeys": ["SHOP-104", "10001", "OKR-12"],
        "fields": ["*navigable"],
        "expand": ["names", "changelog"],
        "properties": ["team-notes"],
    }
    platform.assert_valid(body, platform.request_schema("/rest/api/3/issue/bulkfetch", "post"))
    answer = _ok(http.post("/rest/api/3/issue/bulkfetch", json=body))
    platform.assert_valid(answer, platform.response_schema("/rest/api/3/issue/bulkfetch", "post"))
    assert [i["key"] for i in answer["issues"]] == ["SHOP-104", "SHOP-100", "OKR-12"]


def test_changelog_bulkfetch(http: httpx.Client, platform: Checker) -> None:
    body = {"issueIdsOrKeys": ["SHOP-104", "SHOP-105"], "fieldIds": ["status"], "maxResults": 4}
    platform.assert_valid(body, platform.request_schema("/rest/api/3/changelog/bulkfetch", "post"))
    schema = platform.response_schema("/rest/api/3/changelog/bulkfetch", "post")
    first = _ok(http.post("/rest/api/3/changelog/bulkfetch", json=body))
    platform.assert_valid(first, schema)
    rest = _ok(
        http.post(
            "/rest/api/3/changelog/bulkfetch",
            json={**body, "nextPageToken": first["nextPageToken"]},
        )
    )
    platform.assert_valid(rest, schema)


def test_issue_with_every_expansion(http: httpx.Client, platform: Checker) -> None:
    params = {"expand": "names,schema,transitions,editmeta,changelog,renderedFields"}
    for key in ("SHOP-104", "OKR-12", "SHOP-107"):
        issue = _ok(http.get(f"/rest/api/3/issue/{key}", params=params))
        platform.assert_valid(
            issue, platform.response_schema("/rest/api/3/issue/{issueIdOrKey}", "get")
        )


def test_changelog_page(http: httpx.Client, platform: Checker) -> None:
    page = _ok(http.get("/rest/api/3/issue/SHOP-104/changelog", params={"maxResults": 2}))
    platform.assert_valid(
        page, platform.response_schema("/rest/api/3/issue/{issueIdOrKey}/changelog", "get")
    )


def test_create_edit_and_transition_bodies(http: httpx.Client, platform: Checker) -> None:
    create = {
        "fields": {
            "project": {"key": "SHOP"},
            "issuetype": {"name": "Story"},
            "summary": "Contract story",
            "labels": ["contract"],
            "customfield_10016": 2,
        }
    }
    platform.assert_valid(create, platform.request_schema("/rest/api/3/issue", "post"))
    created = _ok(http.post("/rest/api/3/issue", json=create), 201)
    platform.assert_valid(created, platform.response_schema("/rest/api/3/issue", "post", "201"))
    edit = {"fields": {"customfield_10016": 3}}
    platform.assert_valid(edit, platform.request_schema("/rest/api/3/issue/{issueIdOrKey}", "put"))
    assert http.put(f"/rest/api/3/issue/{created['key']}", json=edit).status_code == 204
    transitions = _ok(http.get(f"/rest/api/3/issue/{created['key']}/transitions"))
    platform.assert_valid(
        transitions, platform.response_schema("/rest/api/3/issue/{issueIdOrKey}/transitions", "get")
    )
    move = {"transition": {"id": transitions["transitions"][0]["id"]}}
    platform.assert_valid(
        move, platform.request_schema("/rest/api/3/issue/{issueIdOrKey}/transitions", "post")
    )
    assert (
        http.post(f"/rest/api/3/issue/{created['key']}/transitions", json=move).status_code == 204
    )


def test_error_bodies_are_error_collections(http: httpx.Client, platform: Checker) -> None:
    schema = platform.response_schema("/rest/api/3/issue", "post", "400")
    failures = [
        http.put("/rest/api/3/issue/OKR-7", json={"fields": {"customfield_10100": 1}}),
        http.get("/rest/api/3/search/jql", params={"jql": "project = NOPE"}),
        http.get("/rest/api/3/issue/NOPE-1"),
        http.get("/rest/api/3/search", params={"jql": "project = SHOP"}),
        httpx.get(f"{http.base_url}/rest/api/3/myself"),
    ]
    for response in failures:
        assert response.status_code in (400, 401, 404, 410)
        platform.assert_valid(response.json(), schema)


def test_comments(http: httpx.Client, platform: Checker) -> None:
    comment_path = "/rest/api/3/issue/{issueIdOrKey}/comment"
    body = {"body": ADF}
    platform.assert_valid(body, platform.request_schema(comment_path, "post"))
    added = _ok(http.post("/rest/api/3/issue/OKR-12/comment", json=body), 201)
    platform.assert_valid(added, platform.response_schema(comment_path, "post", "201"))
    page = _ok(http.get("/rest/api/3/issue/OKR-12/comment"))
    platform.assert_valid(page, platform.response_schema(comment_path, "get"))
    one_path = comment_path + "/{id}"
    one = _ok(http.get(f"/rest/api/3/issue/OKR-12/comment/{added['id']}"))
    platform.assert_valid(one, platform.response_schema(one_path, "get"))
    updated = _ok(http.put(f"/rest/api/3/issue/OKR-12/comment/{added['id']}", json=body))
    platform.assert_valid(updated, platform.response_schema(one_path, "put"))


def test_properties(http: httpx.Client, platform: Checker) -> None:
    keys = _ok(http.get("/rest/api/3/issue/SHOP-100/properties"))
    platform.assert_valid(
        keys, platform.response_schema("/rest/api/3/issue/{issueIdOrKey}/properties", "get")
    )
    one = _ok(http.get("/rest/api/3/issue/SHOP-100/properties/team-notes"))
    platform.assert_valid(
        one,
        platform.response_schema(
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}", "get"
        ),
    )


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/rest/api/3/serverInfo", "/rest/api/3/serverInfo"),
        ("/rest/api/3/myself", "/rest/api/3/myself"),
        ("/rest/api/3/field", "/rest/api/3/field"),
        ("/rest/api/3/status", "/rest/api/3/status"),
        ("/rest/api/3/statuscategory", "/rest/api/3/statuscategory"),
        ("/rest/api/3/project", "/rest/api/3/project"),
        ("/rest/api/3/project/OKR", "/rest/api/3/project/{projectIdOrKey}"),
        ("/rest/api/3/issuetype", "/rest/api/3/issuetype"),
        ("/rest/api/3/priority", "/rest/api/3/priority"),
        ("/rest/api/3/resolution", "/rest/api/3/resolution"),
        ("/rest/api/3/issue/OKR-12/editmeta", "/rest/api/3/issue/{issueIdOrKey}/editmeta"),
    ],
)
def test_site_metadata(http: httpx.Client, platform: Checker, url: str, path: str) -> None:
    platform.assert_valid(_ok(http.get(url)), platform.response_schema(path, "get"))


def test_agile_boards_and_configuration(http: httpx.Client, software: Checker) -> None:
    boards = _ok(http.get("/rest/agile/1.0/board", params={"projectKeyOrId": "SHOP"}))
    software.assert_valid(boards, software.response_schema("/rest/agile/1.0/board", "get"))
    config = _ok(http.get("/rest/agile/1.0/board/1/configuration"))
    software.assert_valid(
        config, software.response_schema("/rest/agile/1.0/board/{boardId}/configuration", "get")
    )


def _example_keys(software: Checker, path: str) -> set[str]:
    media = software.spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    example = json.loads(media["example"])
    values = example.get("values", [example])
    return {key for value in values for key in value}


def test_agile_sprints_use_the_documented_keys(http: httpx.Client, software: Checker) -> None:
    documented = _example_keys(software, "/rest/agile/1.0/board/{boardId}/sprint")
    page = _ok(http.get("/rest/agile/1.0/board/1/sprint"))
    assert set(page) == {"maxResults", "startAt", "total", "isLast", "values"}
    for sprint in page["values"]:
        assert set(sprint) <= documented, set(sprint) - documented
        assert sprint["state"] in ("closed", "active", "future")
    one = _ok(http.get("/rest/agile/1.0/sprint/5"))
    assert set(one) <= _example_keys(software, "/rest/agile/1.0/sprint/{sprintId}")


def test_sprint_issues(http: httpx.Client, platform: Checker) -> None:
    answer = _ok(http.get("/rest/agile/1.0/sprint/5/issue"))
    assert {"startAt", "maxResults", "total", "issues"} <= set(answer)
    issue_schema = {"$ref": "#/components/schemas/IssueBean"}
    for issue in answer["issues"]:
        platform.assert_valid(issue, issue_schema)
