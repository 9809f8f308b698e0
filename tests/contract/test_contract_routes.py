"""Every operation the sandbox serves is one Jira documents, with its limits."""

from __future__ import annotations

import re
from datetime import date

import httpx
from contract_schema import Checker
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer, build_dataset, create_app
from starlette.routing import Route


def _sample(route_path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X1", route_path.replace("{v:int}", "3"))


def _documented(checkers: list[Checker], url: str, method: str) -> bool:
    for checker in checkers:
        for path, operations in checker.spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
            if re.match(pattern, url) and method.lower() in operations:
                return True
    return False


def test_every_route_is_a_documented_operation(platform: Checker, software: Checker) -> None:
    app = create_app(build_dataset(date(2027, 1, 1)))
    served = [
        (_sample(route.path), method)
        for route in app.routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    ]
    assert len(served) >= 30
    undocumented = [(u, m) for u, m in served if not _documented([platform, software], u, m)]
    assert undocumented == []


def test_changelog_bulkfetch_enforces_the_documented_item_limits(
    http: httpx.Client, platform: Checker
) -> None:
    schema = platform.request_schema("/rest/api/3/changelog/bulkfetch", "post")
    properties = platform.schemas[schema["$ref"].rsplit("/", 1)[1]]["properties"]
    issue_limit = properties["issueIdsOrKeys"]["maxItems"]
    field_limit = properties["fieldIds"]["maxItems"]
    assert (issue_limit, field_limit) == (1000, 10)
    url = "/rest/api/3/changelog/bulkfetch"
    ok = http.post(url, json={"issueIdsOrKeys": ["SHOP-1"] * issue_limit})
    too_many = http.post(url, json={"issueIdsOrKeys": ["SHOP-1"] * (issue_limit + 1)})
    fields_ok = http.post(
        url, json={"issueIdsOrKeys": ["SHOP-104"], "fieldIds": ["f"] * field_limit}
    )
    too_many_fields = http.post(
        url, json={"issueIdsOrKeys": ["SHOP-104"], "fieldIds": ["f"] * (field_limit + 1)}
    )
    none = http.post(url, json={"issueIdsOrKeys": []})
    assert [ok.status_code, too_many.status_code, fields_ok.status_code] == [200, 400, 200]
    assert [too_many_fields.status_code, none.status_code] == [400, 400]


def test_search_jql_default_page_size_is_the_documented_one(platform: Checker) -> None:
    params = platform.spec["paths"]["/rest/api/3/search/jql"]["get"]["parameters"]
    default = next(p for p in params if p["name"] == "maxResults")["schema"]["default"]
    assert default == 50
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=default + 10) as jira:
        page = httpx.get(
            f"{jira.url}/rest/api/3/search/jql", params={"jql": "project = BULK"}, auth=jira.auth
        ).json()
    assert len(page["issues"]) == default
    assert page["isLast"] is False
