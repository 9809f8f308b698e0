"""Issue comments; bodies are Atlassian Document Format on v3, wiki markup strings on v2."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync_sandbox import render
from okrsync_sandbox.edits import is_adf
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

COMMENT_PAGE_CAP = 5000
INVALID_BODY = "Comment body is not valid!"
EMPTY_BODY = "Comment body can not be empty!"


def _body(payload: dict[str, Any], view: View) -> Any:
    """The comment body sent, checked against the API version's form."""
    body = payload.get("body")
    if view.version == 2:
        if not isinstance(body, str) or not body.strip():
            raise JiraError(400, [], {"comment": EMPTY_BODY})
        return body
    if not is_adf(body):
        raise JiraError(400, [], {"comment": INVALID_BODY})
    return body


def _find_comment(issue: Issue, raw_id: str) -> Comment:
    for comment in issue.comments:
        if str(comment.id) == raw_id:
            return comment
    raise JiraError(404, [f"Can not find a comment for key: {raw_id}."])


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
                "comments": [render.comment(c, issue, view) for c in page],
            }
        )


async def add_comment(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    text = _body(await json_object(request), view)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        comment = state.add_comment(issue.key, text, author=view.viewer)
        return JSONResponse(render.comment(comment, issue, view), 201)


async def get_comment(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        comment = _find_comment(issue, request.path_params["id"])
        return JSONResponse(render.comment(comment, issue, view))


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
        return JSONResponse(render.comment(comment, issue, view))


async def delete_comment(request: Request) -> Response:
    state = sandbox(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        comment = _find_comment(issue, request.path_params["id"])
        issue.comments.remove(comment)
        state.record(issue, ())
    return Response(status_code=204)


routes = [
    Route("/rest/api/{v:int}/issue/{key}/comment", list_comments, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/comment", add_comment, methods=["POST"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", get_comment, methods=["GET"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", update_comment, methods=["PUT"]),
    Route("/rest/api/{v:int}/issue/{key}/comment/{id}", delete_comment, methods=["DELETE"]),
]
