"""Bulk reads: issues by id (≤ 100 per call) and changelogs (≤ 1,000 issues per call)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from okrsync_sandbox import fieldsel, render
from okrsync_sandbox.endpoint import BulkJSONResponse, int_value, json_object, sandbox, view_of
from okrsync_sandbox.http_errors import BAD_PAYLOAD, bad_request
from okrsync_sandbox.model import History, Issue
from okrsync_sandbox.paging import make_token, read_token

BULK_FETCH_LIMIT = 100
CHANGELOG_ISSUE_LIMIT = 1000
CHANGELOG_FIELD_LIMIT = 10
CHANGELOG_DEFAULT_RESULTS = 1000  # maxResults when the request names none (documented)
CHANGELOG_MAX_RESULTS = 10000  # the documented maximum of maxResults, honoured as asked
# Histories a page holds at most whatever maxResults says; None: as many as asked. Tests
# lower it to play a site that returns fewer than asked, which clients must page through.
CHANGELOG_PAGE_CAP: int | None = None
TEMPORARY_FAILURE = "Issue could not be retrieved because of a temporary problem. Retry later."


def _id_list(body: dict[str, Any]) -> list[str]:
    ids = body.get("issueIdsOrKeys")
    if not isinstance(ids, list) or not all(isinstance(i, str | int) for i in ids):
        raise bad_request(BAD_PAYLOAD)
    return [str(i) for i in ids]


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(BAD_PAYLOAD)
    return value


async def bulk_fetch(request: Request) -> BulkJSONResponse:
    state, view = sandbox(request), view_of(request)
    body = await json_object(
        request,
        allowed={"issueIdsOrKeys", "fields", "expand", "properties", "fieldsByKeys"},
    )
    ids = _id_list(body)
    if not ids or len(ids) > BULK_FETCH_LIMIT:
        raise bad_request(
            f"The number of issue IDs or keys must be between 1 and {BULK_FETCH_LIMIT}; "
            f"{len(ids)} were requested."
        )
    fields = fieldsel.resolve(_string_list(body.get("fields")), "*navigable", state)
    expand = {e.strip().lower() for e in _string_list(body.get("expand"))}
    properties = _string_list(body.get("properties"))
    if len(properties) > 5:
        raise bad_request("A maximum of 5 issue properties can be requested.")
    issues: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    seen: set[int] = set()
    with state.lock:
        for ref in ids:
            issue = state.issue(ref)
            # Not found or not visible: silently left out, as documented.
            if issue is None or issue.id in seen:
                continue
            seen.add(issue.id)
            if ref in state.bulkfetch_failures or issue.key in state.bulkfetch_failures:
                errors.append({"id": str(issue.id), "errorMessage": TEMPORARY_FAILURE})
                continue
            issues.append(
                render.issue(
                    issue,
                    view,
                    fields=fields.ids if fields.ids is not None else [],
                    expand=expand,
                    properties=properties,
                )
            )
    return BulkJSONResponse({"issues": issues, "issueErrors": errors})


async def bulk_changelogs(request: Request) -> BulkJSONResponse:
    state, view = sandbox(request), view_of(request)
    body = await json_object(
        request, allowed={"issueIdsOrKeys", "fieldIds", "maxResults", "nextPageToken"}
    )
    ids = _id_list(body)
    if not ids or len(ids) > CHANGELOG_ISSUE_LIMIT:
        raise bad_request(
            f"The number of issue IDs or keys must be between 1 and {CHANGELOG_ISSUE_LIMIT}; "
            f"{len(ids)} were requested."
        )
    field_ids = _string_list(body.get("fieldIds"))
    if len(field_ids) > CHANGELOG_FIELD_LIMIT:
        raise bad_request(f"A maximum of {CHANGELOG_FIELD_LIMIT} field IDs can be requested.")
    size = int_value(body.get("maxResults"), "maxResults", CHANGELOG_DEFAULT_RESULTS)
    if not 1 <= size <= CHANGELOG_MAX_RESULTS:
        raise bad_request(f"maxResults must be between 1 and {CHANGELOG_MAX_RESULTS}.")
    if CHANGELOG_PAGE_CAP is not None:
        size = min(size, CHANGELOG_PAGE_CAP)
    token = body.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise bad_request(BAD_PAYLOAD)
    scope = "changelog|" + json.dumps([ids, sorted(field_ids)])
    offset = read_token(token, scope)
    wanted = set(field_ids)
    with state.lock:
        flat: list[tuple[Issue, History]] = []
        seen: set[int] = set()
        for ref in ids:
            issue = state.issue(ref)
            if issue is None or issue.id in seen:
                continue
            seen.add(issue.id)
            for history in issue.histories:
                if not wanted or any(item.field_id in wanted for item in history.items):
                    flat.append((issue, history))
        page = flat[offset : offset + size]
        grouped: list[dict[str, Any]] = []
        for issue, history in page:
            rendered = render.history(history, view)
            if wanted:
                rendered["items"] = [i for i in rendered["items"] if i.get("fieldId") in wanted]
            # An issue's histories may continue on the next page; its entry repeats there.
            if grouped and grouped[-1]["issueId"] == str(issue.id):
                grouped[-1]["changeHistories"].append(rendered)
            else:
                grouped.append({"issueId": str(issue.id), "changeHistories": [rendered]})
    response: dict[str, Any] = {"issueChangeLogs": grouped}
    end = offset + len(page)
    if end < len(flat):
        response["nextPageToken"] = make_token(scope, end)
    return BulkJSONResponse(response)


routes = [
    Route("/rest/api/3/issue/bulkfetch", bulk_fetch, methods=["POST"]),
    Route("/rest/api/3/changelog/bulkfetch", bulk_changelogs, methods=["POST"]),
]
