"""Issue comments; bodies are Atlassian Document Format on v3, wiki markup strings on v2.

Comments carry entity properties as Jira's do: set with ``properties`` when the comment
is added, or one by one under ``/comment/{id}/properties/{key}``; a comment shows them
(``properties: [{key, value}]``) only when asked with ``expand=properties``. Editing a
comment's body keeps its properties.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync_sandbox import render
from okrsync_sandbox.api_properties import listed_properties, missing_property, property_value
from okrsync_sandbox.edits import is_adf, stored_wiki
from okrsync_sandbox.endpoint import (
    check_writable,
    find_issue,
    int_param,
    json_object,
    sandbox,
    view_of,
)
from okrsync_sandbox.http_errors import JiraError, bad_request
from okrsync_sandbox.model import Comment, Issue
from okrsync_sandbox.render import View
from okrsync_sandbox.state import SandboxState

COMMENT_PAGE_CAP = 5000
INVALID_BODY = "Comment body is not valid!"
EMPTY_BODY = "Comment body can not be empty!"


def _body(payload: dict[str, Any], view: View) -> Any:
    """The comment body sent, checked against the API version's form."""
    body = payload.get("body")
    if view.version == 2:
        if not isinstance(body, str) or not body.strip():
            raise JiraError(400, [], {"comment": EMPTY_BODY})
        return stored_wiki(body)
    if not is_adf(body):
        raise JiraError(400, [], {"comment": INVALID_BODY})
    return body


def _shown(comment: Comment, issue: Issue, view: View, request: Request) -> dict[str, Any]:
    body = render.comment(comment, issue, view)
    if "properties" in request.query_params.get("expand", "").split(","):
        body["properties"] = [{"key": k, "value": v} for k, v in comment.properties.items()]
    return body


def _not_found(raw_id: str) -> JiraError:
    return JiraError(404, [f"Can not find a comment for key: {raw_id}."])


def _find_comment(issue: Issue, raw_id: str) -> Comment:
    for comment in issue.comments:
        if str(comment.id) == raw_id:
            return comment
    raise _not_found(raw_id)


def _comment_anywhere(state: SandboxState, raw_id: str) -> tuple[Issue, Comment]:
    """The comment with this id on any issue (comment property paths name no issue)."""
    for issue in state.issues_by_id.values():
        for comment in issue.comments:
            if str(comment.id) == raw_id:
                return issue, comment
    raise _not_found(raw_id)


async def list_comments(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    start = max(int_param(request, "startAt", 0), 0)
    size = min(max(int_param(request, "maxResults", 100), 0), COMMENT_PAGE_CAP)
    order = request.query_params.get("orderBy")
    if order not in (None, "created", "+created", "-created"):
        raise bad_request(f"Comments can only be ordered by 'created', not by '{order}'.")
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        ordered = sorted(
            issue.comments, key=lambda c: (c.created, c.id), reverse=order == "-created"
        )
        page = ordered[start : start + size]
        return JSONResponse(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(ordered),
                "comments": [_shown(c, issue, view, request) for c in page],
            }
        )


async def add_comment(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    payload = await json_object(request)
    text, properties = _body(payload, view), listed_properties(payload, "comment")
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        comment = state.add_comment(issue.key, text, author=view.viewer)
        comment.properties.update(properties)
        return JSONResponse(_shown(comment, issue, view, request), 201)


async def get_comment(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        comment = _find_comment(issue, request.path_params["id"])
        return JSONResponse(_shown(comment, issue, view, request))


async def update_comment(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    text = _body(await json_object(request), view)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        comment = _find_comment(issue, request.path_params["id"])
        now = state.now()
        comment.body = text
        comment.updated = now
        comment.update_author = view.viewer
        state.record(issue, (), at=now)
        return JSONResponse(_shown(comment, issue, view, request))


async def delete_comment(request: Request) -> Response:
    state = sandbox(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        comment = _find_comment(issue, request.path_params["id"])
        issue.comments.remove(comment)
        state.record(issue, ())
    return Response(status_code=204)


async def comment_property_keys(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        _, comment = _comment_anywhere(state, request.path_params["id"])
        keys = [
            {"self": view.api(f"comment/{comment.id}/properties/{k}"), "key": k}
            for k in comment.properties
        ]
    return JSONResponse({"keys": keys})


async def get_comment_property(request: Request) -> JSONResponse:
    state, name = sandbox(request), request.path_params["property"]
    with state.lock:
        _, comment = _comment_anywhere(state, request.path_params["id"])
        if name not in comment.properties:
            raise missing_property(name)
        return JSONResponse({"key": name, "value": comment.properties[name]})


async def set_comment_property(request: Request) -> Response:
    state, name = sandbox(request), request.path_params["property"]
    value = property_value(name, await request.body())
    with state.lock:
        issue, comment = _comment_anywhere(state, request.path_params["id"])
        check_writable(state, issue)
        created = name not in comment.properties
        comment.properties[name] = value
        state.touch()  # like issue properties: the issue's ``updated`` stays
    return Response(status_code=201 if created else 200)


async def delete_comment_property(request: Request) -> Response:
    state, name = sandbox(request), request.path_params["property"]
    with state.lock:
        issue, comment = _comment_anywhere(state, request.path_params["id"])
        check_writable(state, issue)
        if name not in comment.properties:
            raise missing_property(name)
        del comment.properties[name]
        state.touch()
    return Response(status_code=204)


_COMMENT_PROPERTY = "/rest/api/{v:int}/comment/{id}/properties/{property}"

routes = [
    Route("/rest/api/{v:int}/issue/{key}/comment", list_comments, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/comment", add_comment, methods=["POST"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", get_comment, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", update_comment, methods=["PUT"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", delete_comment, methods=["DELETE"]),
    Route("/rest/api/{v:int}/comment/{id}/properties", comment_property_keys, methods=["GET"]),
    Route(_COMMENT_PROPERTY, get_comment_property, methods=["GET"]),
    Route(_COMMENT_PROPERTY, set_comment_property, methods=["PUT"]),
    Route(_COMMENT_PROPERTY, delete_comment_property, methods=["DELETE"]),
]
