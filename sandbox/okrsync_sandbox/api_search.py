"""Cloud search: ``/search/jql`` (token-paged) and the approximate count.

The old ``/search`` path is Data Center's search; on Cloud it answers 410
(``api_search_dc``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync_sandbox import fieldsel, render
from okrsync_sandbox.endpoint import csv, int_value, json_object, sandbox, view_of
from okrsync_sandbox.http_errors import JiraError, bad_request
from okrsync_sandbox.jql import JqlError, run_query
from okrsync_sandbox.model import Issue
from okrsync_sandbox.paging import make_token, read_token

DEFAULT_MAX_RESULTS = 50
ID_PAGE_CAP = 5000  # when only ids/keys are requested
FIELD_PAGE_CAP = 100  # when any other field, expand or property is requested
_SEARCH_BODY = {
    "jql",
    "nextPageToken",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "failFast",
    "reconcileIssues",
}


async def search_jql(request: Request) -> Response:
    if request.method == "GET":
        q = request.query_params
        raw_max = q.get("maxResults")
        try:
            max_results = int(raw_max) if raw_max not in (None, "") else None
        except ValueError:
            raise bad_request(
                f"The 'maxResults' parameter must be a number, but it is '{raw_max}'."
            ) from None
        params: dict[str, Any] = {
            "jql": q.get("jql", ""),
            "nextPageToken": q.get("nextPageToken"),
            "maxResults": max_results,
            "fields": q.getlist("fields"),
            "expand": q.get("expand", ""),
            "properties": csv(q.getlist("properties")),
        }
    else:
        body = await json_object(request, allowed=_SEARCH_BODY)
        expand = body.get("expand") or ""
        if not isinstance(expand, str):
            raise bad_request(fieldsel_error("expand"))
        params = {
            "jql": body.get("jql") or "",
            "nextPageToken": body.get("nextPageToken"),
            "maxResults": int_value(body.get("maxResults"), "maxResults", DEFAULT_MAX_RESULTS),
            "fields": body.get("fields") or [],
            "expand": expand,
            "properties": list(body.get("properties") or []),
        }
    page = _search(request, params)
    if isinstance(page, bytes):
        return Response(page, media_type="application/json")
    return JSONResponse(page)


def fieldsel_error(name: str) -> str:
    return f"Invalid request payload: '{name}' has the wrong type."


def _search(request: Request, params: dict[str, Any]) -> dict[str, Any] | bytes:
    """The page as a JSON object, or, for ids or keys only, already encoded."""
    state, view = sandbox(request), view_of(request)
    jql: str = params["jql"]
    fields = fieldsel.resolve(params["fields"], "id", state)
    expand = {e.strip().lower() for e in params["expand"].split(",") if e.strip()}
    properties: list[str] = params["properties"]
    if len(properties) > 5:
        raise bad_request("A maximum of 5 issue properties can be requested.")
    requested = params["maxResults"]
    max_results = DEFAULT_MAX_RESULTS if requested is None else requested
    if max_results < 1:
        raise bad_request("The 'maxResults' parameter must be greater than 0.")
    cap = ID_PAGE_CAP if fields.light and not expand and not properties else FIELD_PAGE_CAP
    size = min(max_results, cap)
    token_scope = f"search|{jql}"
    offset = read_token(params["nextPageToken"], token_scope)
    with state.lock:
        try:
            found = run_query(state, jql, view.viewer)
        except JqlError as error:
            raise JiraError(400, error.messages) from None
        page = found[offset : offset + size]
        end = offset + len(page)
        following = make_token(token_scope, end) if end < len(found) else None
        if fields.light and not expand and not properties:
            return _light_page(page, view, keys=fields.ids is not None, following=following)
        issues = [
            render.issue(i, view, fields=fields.ids, expand=expand, properties=properties)
            for i in page
        ]
    body: dict[str, Any] = {"issues": issues}
    if "names" in expand:
        body["names"] = {f: state.fields[f].name for f in fields.ids or [] if f in state.fields}
    if "schema" in expand:
        body["schema"] = {
            f: state.fields[f].schema for f in fields.ids or [] if state.fields[f].schema
        }
    if following is not None:
        body["nextPageToken"] = following
    body["isLast"] = following is None
    return body


def _light_page(
    page: Sequence[Issue], view: render.View, *, keys: bool, following: str | None
) -> bytes:
    """A page of ids (or ids and keys) written straight to JSON: such pages hold up to
    5,000 issues, and are what a client lists a query's members with. The text is what
    ``render.issue`` and ``JSONResponse`` would give, built without the objects."""
    if keys:
        head = '{"expand":' + json.dumps(render.ISSUE_EXPAND) + ',"id":"'
        link = '","self":' + json.dumps(view.api("issue/"), ensure_ascii=False)[:-1]
        # Issue keys are a project key (letters, digits, _), a dash and a number.
        parts = [f'{head}{i.id}{link}{i.id}","key":"{i.key}","fields":{{}}}}' for i in page]
    else:
        parts = [f'{{"id":"{i.id}"}}' for i in page]
    tail = f',"nextPageToken":{json.dumps(following)}' if following is not None else ""
    last = "false" if following is not None else "true"
    return f'{{"issues":[{",".join(parts)}]{tail},"isLast":{last}}}'.encode()


async def approximate_count(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    body = await json_object(request, allowed={"jql"})
    with state.lock:
        try:
            found = run_query(state, str(body.get("jql") or ""), view.viewer)
        except JqlError as error:
            raise JiraError(400, error.messages) from None
    return JSONResponse({"count": len(found)})


routes = [
    Route("/rest/api/3/search/jql", search_jql, methods=["GET", "POST"]),
    Route("/rest/api/3/search/approximate-count", approximate_count, methods=["POST"]),
]
