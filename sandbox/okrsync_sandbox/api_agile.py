"""Jira Software's Agile API: boards, their configuration, sprints, sprint issues."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from okrsync_sandbox import fieldsel, render
from okrsync_sandbox.endpoint import int_param, sandbox, view_of
from okrsync_sandbox.http_errors import JiraError
from okrsync_sandbox.jql import JqlError, run_query
from okrsync_sandbox.model import Board
from okrsync_sandbox.state import SandboxState

PAGE_CAP = 50
BOARD_NOT_FOUND = (
    "The requested board cannot be viewed because it either does not exist or you do not "
    "have permission to view it."
)


def _page(request: Request, default: int = PAGE_CAP) -> tuple[int, int]:
    start = max(int_param(request, "startAt", 0), 0)
    size = min(max(int_param(request, "maxResults", default), 1), PAGE_CAP)
    return start, size


def _paged(values: list[Any], start: int, size: int) -> dict[str, Any]:
    page = values[start : start + size]
    return {
        "maxResults": size,
        "startAt": start,
        "total": len(values),
        "isLast": start + size >= len(values),
        "values": page,
    }


def _board(state: SandboxState, request: Request) -> Board:
    raw = request.path_params["board"]
    board = state.boards.get(int(raw)) if raw.isdigit() else None
    if board is None:
        raise JiraError(404, [BOARD_NOT_FOUND])
    return board


def _board_json(board: Board, state: SandboxState, base: str) -> dict[str, Any]:
    project = state.projects[board.project_key]
    return {
        "id": board.id,
        "self": f"{base}/rest/agile/1.0/board/{board.id}",
        "name": board.name,
        "type": board.type,
        "location": {
            "projectId": int(project.id),
            "displayName": f"{project.name} ({project.key})",
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": "software",
            "avatarURI": f"{base}/secure/projectavatar?size=small&pid={project.id}",
            "name": f"{project.name} ({project.key})",
        },
        "isPrivate": False,
    }


async def boards(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    q = request.query_params
    wanted_project = q.get("projectKeyOrId")
    wanted_type = {t.strip() for t in q.get("type", "").split(",") if t.strip()}
    name = q.get("name", "").lower()
    start, size = _page(request)
    with state.lock:
        found = []
        for board in state.boards.values():
            project = state.projects[board.project_key]
            if wanted_project and wanted_project not in (project.key, project.id):
                continue
            if wanted_type and board.type not in wanted_type:
                continue
            if name and name not in board.name.lower():
                continue
            found.append(_board_json(board, state, view.base))
    return JSONResponse(_paged(found, start, size))


async def board(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        return JSONResponse(_board_json(_board(state, request), state, view.base))


async def configuration(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    base = view.base
    with state.lock:
        b = _board(state, request)
        project = state.projects[b.project_key]
        body: dict[str, Any] = {
            "id": b.id,
            "name": b.name,
            "type": b.type,
            "self": f"{base}/rest/agile/1.0/board/{b.id}/configuration",
            "location": {"type": "project", "projectKeyOrId": project.id},
            "filter": {"id": str(10000 + b.id), "self": f"{base}/rest/api/3/filter/{10000 + b.id}"},
            "columnConfig": {
                "columns": [
                    {
                        "name": s.name,
                        "statuses": [{"id": s.id, "self": f"{base}/rest/api/3/status/{s.id}"}],
                    }
                    for s in project.workflow
                ],
                "constraintType": "none",
            },
            "ranking": {"rankCustomFieldId": 10019},
        }
        if b.type == "kanban":
            body["subQuery"] = {"query": "resolution = EMPTY OR resolution changed AFTER -2w"}
        if b.estimation_field:
            field = state.fields[b.estimation_field]
            body["estimation"] = {
                "type": "field",
                "field": {"fieldId": field.id, "displayName": field.name},
            }
        else:
            body["estimation"] = {"type": "issueCount"}
    return JSONResponse(body)


async def board_sprints(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    states = {s.strip() for s in request.query_params.get("state", "").split(",") if s.strip()}
    start, size = _page(request)
    with state.lock:
        b = _board(state, request)
        if b.type != "scrum":
            raise JiraError(400, ["The board does not support sprints"])
        # Jira orders closed, then active, then future sprints, each by sequence.
        rank = {"closed": 0, "active": 1, "future": 2}
        found = sorted(
            (s for s in state.sprints.values() if s.board_id == b.id),
            key=lambda s: (rank[s.state], s.id),
        )
        values = [render.sprint(s, view.base) for s in found if not states or s.state in states]
    return JSONResponse(_paged(values, start, size))


async def sprint(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    raw = request.path_params["sprint"]
    found = state.sprints.get(int(raw)) if raw.isdigit() else None
    if found is None:
        raise JiraError(404, ["Sprint does not exist or you do not have permission to view it."])
    return JSONResponse(render.sprint(found, view.base))


async def sprint_issues(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    raw = request.path_params["sprint"]
    found = state.sprints.get(int(raw)) if raw.isdigit() else None
    if found is None:
        raise JiraError(404, ["Sprint does not exist or you do not have permission to view it."])
    q = request.query_params
    start, size = _page(request)
    fields = fieldsel.resolve(q.getlist("fields"), "*navigable", state)
    jql = f"sprint = {found.id}"
    extra = q.get("jql")
    if extra:
        jql = f"{jql} AND ({extra})"
    with state.lock:
        try:
            matches = run_query(state, jql + " ORDER BY Rank", view.viewer)
        except JqlError as error:
            raise JiraError(400, error.messages) from None
        page = matches[start : start + size]
        issues = [
            render.issue(i, view, fields=fields.ids if fields.ids is not None else []) for i in page
        ]
    return JSONResponse(
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(matches),
            "issues": issues,
        }
    )


routes = [
    Route("/rest/agile/1.0/board", boards),
    Route("/rest/agile/1.0/board/{board}", board),
    Route("/rest/agile/1.0/board/{board}/configuration", configuration),
    Route("/rest/agile/1.0/board/{board}/sprint", board_sprints),
    Route("/rest/agile/1.0/sprint/{sprint}", sprint),
    Route("/rest/agile/1.0/sprint/{sprint}/issue", sprint_issues),
]
