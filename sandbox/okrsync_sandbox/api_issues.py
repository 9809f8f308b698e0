"""Single issues: read, create, edit, transition, and their changelog."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync_sandbox import changes, edits, fieldsel, render
from okrsync_sandbox.api_properties import listed_properties
from okrsync_sandbox.endpoint import (
    check_writable,
    csv,
    find_issue,
    int_param,
    json_object,
    sandbox,
    view_of,
)
from okrsync_sandbox.http_errors import BAD_PAYLOAD, JiraError, bad_request
from okrsync_sandbox.model import ChangeItem

CHANGELOG_PAGE_CAP = 100


async def get_issue(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    q = request.query_params
    fields = fieldsel.resolve(q.getlist("fields"), "*all", state)
    expand = {e.strip().lower() for e in q.get("expand", "").split(",") if e.strip()}
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        body = render.issue(
            issue,
            view,
            fields=fields.ids if fields.ids is not None else [],
            expand=expand,
            properties=csv(q.getlist("properties")),
        )
    return JSONResponse(body)


async def create_issue(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    body = await json_object(request)
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise JiraError(400, [], {"project": "Specify a valid project ID or key"})
    fields = dict(fields)
    properties = listed_properties(body, "issue")
    errors: dict[str, str] = {}
    with state.lock:
        project_ref = fields.pop("project", None)
        wanted = (
            (project_ref.get("key") or project_ref.get("id"))
            if isinstance(project_ref, dict)
            else None
        )
        project = next((p for p in state.projects.values() if wanted in (p.key, p.id)), None)
        if project is None:
            raise JiraError(400, [], {"project": "Specify a valid project ID or key"})
        check_writable(state, project.key)
        type_ref = fields.pop("issuetype", None)
        type_wanted = (
            (type_ref.get("name") or type_ref.get("id")) if isinstance(type_ref, dict) else None
        )
        issuetype = next((t for t in project.issue_types if type_wanted in (t.name, t.id)), None)
        if issuetype is None:
            raise JiraError(400, [], {"issuetype": "Specify an issue type"})
        if "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        values = edits.convert(
            state, project, issuetype.name, fields, errors, wiki=view.version == 2
        )
        if errors:
            raise JiraError(400, [], errors)
        summary = values.pop("summary")
        issue = state.add_issue(
            project.key, issuetype.name, summary, reporter=view.viewer, fields=values
        )
        issue.properties.update(properties)
    return JSONResponse(
        {"id": str(issue.id), "key": issue.key, "self": view.api(f"issue/{issue.id}")}, 201
    )


async def edit_issue(request: Request) -> Response:
    state, view = sandbox(request), view_of(request)
    body = await json_object(request)
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise bad_request(BAD_PAYLOAD)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        merged = dict(fields)
        edits.apply_update_ops(issue, update, merged)
        errors: dict[str, str] = {}
        values = edits.convert(
            state,
            issue.project,
            issue.issuetype.name,
            merged,
            errors,
            issue=issue,
            wiki=view.version == 2,
        )
        if errors:
            raise JiraError(400, [], errors)
        items: list[ChangeItem] = []
        for field_id, value in values.items():
            items.extend(changes.assign(state, issue, field_id, value))
        if items:
            state.record(issue, items, author=view.viewer)
        if request.query_params.get("returnIssue") == "true":
            return JSONResponse(render.issue(issue, view, fields=list(state.fields)))
    return Response(status_code=204)


async def get_transitions(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        return JSONResponse(
            {"expand": "transitions", "transitions": render.transitions(issue, view)}
        )


async def do_transition(request: Request) -> Response:
    state, view = sandbox(request), view_of(request)
    body = await json_object(request)
    transition = body.get("transition")
    wanted = transition.get("id") if isinstance(transition, dict) else None
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        if wanted is None:
            raise bad_request("Missing 'transition' identifier")
        target = next(
            (
                s
                for s in issue.project.workflow
                if render.transition_id(issue.project, s) == str(wanted)
            ),
            None,
        )
        if target is None or target.id == issue.status.id:
            raise bad_request(f"Transition id '{wanted}' is not valid for this issue.")
        errors: dict[str, str] = {}
        extra = body.get("fields") or {}
        values = edits.convert(
            state,
            issue.project,
            issue.issuetype.name,
            extra,
            errors,
            issue=issue,
            wiki=view.version == 2,
        )
        if errors:
            raise JiraError(400, [], errors)
        now = state.now()
        items = changes.set_status(state, issue, target, now)
        for field_id, value in values.items():
            items.extend(changes.assign(state, issue, field_id, value))
        state.record(issue, items, at=now, author=view.viewer)
    return Response(status_code=204)


async def get_changelog(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    start = max(int_param(request, "startAt", 0), 0)
    size = min(max(int_param(request, "maxResults", CHANGELOG_PAGE_CAP), 1), CHANGELOG_PAGE_CAP)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        histories = issue.histories
        page = histories[start : start + size]
        url = view.api(f"issue/{issue.key}/changelog")
        body: dict[str, Any] = {
            "self": f"{url}?maxResults={size}&startAt={start}",
            "maxResults": size,
            "startAt": start,
            "total": len(histories),
            "isLast": start + size >= len(histories),
            "values": [render.history(h, view) for h in page],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{url}?maxResults={size}&startAt={start + size}"
    return JSONResponse(body)


async def get_editmeta(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        return JSONResponse(render.editmeta(issue, view))


routes = [
    Route("/rest/api/{v:int}/issue", create_issue, methods=["POST"]),
    Route("/rest/api/{v:int}/issue/{key}", get_issue, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}", edit_issue, methods=["PUT"]),
    Route("/rest/api/{v:int}/issue/{key}/transitions", get_transitions, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/transitions", do_transition, methods=["POST"]),
    Route("/rest/api/{v:int}/issue/{key}/changelog", get_changelog, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/editmeta", get_editmeta, methods=["GET"]),
]
