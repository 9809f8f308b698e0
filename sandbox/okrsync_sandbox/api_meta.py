"""Site metadata: server info, the caller, fields, statuses, projects."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from okrsync_sandbox import dialect, render
from okrsync_sandbox.endpoint import sandbox, view_of
from okrsync_sandbox.http_errors import JiraError


async def server_info(request: Request) -> JSONResponse:
    state = sandbox(request)
    view = view_of(request)
    with state.lock:
        now = state.now()
    build = dialect.BUILD_CLOUD if state.is_cloud else dialect.BUILD_DATA_CENTER
    body = {
        "baseUrl": view.base,
        "displayUrl": view.base,
        "version": build["version"],
        "versionNumbers": build["versionNumbers"],
        "deploymentType": state.deployment,
        "buildNumber": build["buildNumber"],
        "buildDate": "2025-12-01T00:00:00.000+0000",
        "serverTime": render.timestamp(now, view.tz),
        "scmInfo": "0000000000000000000000000000000000000000",
        "serverTitle": state.server_title,
        "serverTimeZone": "Etc/UTC",
    }
    if not state.is_cloud:
        del body["displayUrl"], body["serverTimeZone"]
    return JSONResponse(body)


async def myself(request: Request) -> JSONResponse:
    view = view_of(request)
    return JSONResponse(render.myself(view.viewer, view))


async def fields(request: Request) -> JSONResponse:
    state = sandbox(request)
    return JSONResponse([render.field_details(f) for f in state.fields.values()])


async def statuses(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.status(s, view) for s in state.statuses.values()])


async def status_categories(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.category(c, view) for c in state.status_categories])


async def projects(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.project_full(p, view) for p in state.projects.values()])


async def project(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    wanted = request.path_params["key"]
    for p in state.projects.values():
        if wanted in (p.key, p.id) or wanted.upper() == p.key:
            return JSONResponse(render.project_full(p, view))
    raise JiraError(404, [f"No project could be found with key '{wanted}'."])


async def issue_types(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.issuetype(t, view) for t in state.issue_types])


async def priorities(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.priority(p, view) for p in state.priorities])


async def resolutions(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    return JSONResponse([render.resolution(r, view) for r in state.resolutions.values()])


routes = [
    Route("/rest/api/{v:int}/serverInfo", server_info),
    Route("/rest/api/{v:int}/myself", myself),
    Route("/rest/api/{v:int}/field", fields),
    Route("/rest/api/{v:int}/status", statuses),
    Route("/rest/api/{v:int}/statuscategory", status_categories),
    Route("/rest/api/{v:int}/project", projects),
    Route("/rest/api/{v:int}/project/{key}", project),
    Route("/rest/api/{v:int}/issuetype", issue_types),
    Route("/rest/api/{v:int}/priority", priorities),
    Route("/rest/api/{v:int}/resolution", resolutions),
]
