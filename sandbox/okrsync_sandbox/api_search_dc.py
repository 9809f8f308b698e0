"""``/rest/api/2/search``: Data Center's search, paged by ``startAt`` with a ``total``.

Because every page says how many issues match, a client can ask for all the other
pages at once. Pages are capped at 1,000 issues (``jira.search.views.default.max``);
``maxResults=0`` only counts. Unlike Cloud, unbounded JQL is allowed, and
``expand=changelog`` returns every history (see ``render.inline_changelog``). On Cloud
the same path has been removed and answers 410.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from okrsync_sandbox import fieldsel, render
from okrsync_sandbox.endpoint import csv, int_value, json_object, sandbox, view_of
from okrsync_sandbox.http_errors import BAD_PAYLOAD, JiraError, bad_request
from okrsync_sandbox.jql import JqlError, run_query

DEFAULT_MAX_RESULTS = 50
MAX_RESULTS_CAP = 1000
REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_BODY = {
    "jql",
    "startAt",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "validateQuery",
}


async def search(request: Request) -> JSONResponse:
    if sandbox(request).is_cloud:
        raise JiraError(410, [REMOVED_SEARCH])
    params = _query_params(request) if request.method == "GET" else await _body_params(request)
    return JSONResponse(_search(request, params))


def _query_params(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {
        "jql": q.get("jql", ""),
        "startAt": _number(q.get("startAt"), "startAt", 0),
        "maxResults": _number(q.get("maxResults"), "maxResults", DEFAULT_MAX_RESULTS),
        "fields": q.getlist("fields"),
        "expand": csv(q.getlist("expand")),
        "properties": csv(q.getlist("properties")),
    }


async def _body_params(request: Request) -> dict[str, Any]:
    body = await json_object(request, allowed=_BODY)
    expand = body.get("expand") or []
    # The bean takes a list of expansions; a comma-separated string is read as well.
    if isinstance(expand, str):
        expand = csv([expand])
    if not isinstance(expand, list) or not all(isinstance(e, str) for e in expand):
        raise bad_request(BAD_PAYLOAD)
    return {
        "jql": body.get("jql") or "",
        "startAt": int_value(body.get("startAt"), "startAt", 0),
        "maxResults": int_value(body.get("maxResults"), "maxResults", DEFAULT_MAX_RESULTS),
        "fields": body.get("fields") or [],
        "expand": expand,
        "properties": list(body.get("properties") or []),
    }


def _number(raw: str | None, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"The '{name}' parameter must be a number, but it is '{raw}'.") from None


def _search(request: Request, params: dict[str, Any]) -> dict[str, Any]:
    state, view = sandbox(request), view_of(request)
    fields = fieldsel.resolve(params["fields"], "*navigable", state)
    expand = {e.strip().lower() for e in params["expand"] if e.strip()}
    if params["maxResults"] < 0:
        raise bad_request("The 'maxResults' parameter must not be negative.")
    start = max(params["startAt"], 0)
    size = min(params["maxResults"], MAX_RESULTS_CAP)
    with state.lock:
        try:
            found = run_query(state, params["jql"], view.viewer, require_bounded=False)
        except JqlError as error:
            raise JiraError(400, error.messages) from None
        issues = [
            render.issue(
                issue,
                view,
                fields=fields.ids if fields.ids is not None else [],
                expand=expand,
                properties=params["properties"],
            )
            for issue in found[start : start + size]
        ]
    body: dict[str, Any] = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": size,
        "total": len(found),
        "issues": issues,
    }
    chosen = fields.ids or []
    if "names" in expand:
        body["names"] = {f: state.fields[f].name for f in chosen if f in state.fields}
    if "schema" in expand:
        body["schema"] = {f: state.fields[f].schema for f in chosen if state.fields[f].schema}
    return body


routes = [Route("/rest/api/{v:int}/search", search, methods=["GET", "POST"])]
