"""The GitHub sandbox as an ASGI application: REST v3 and GraphQL v4 on one site.

REST answers at the root (GitHub.com's ``https://api.github.com``) and under ``/api/v3``
(Enterprise Server's); GraphQL at ``/graphql`` and ``/api/graphql``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from okrsync_github_sandbox import graphql_api, rest
from okrsync_github_sandbox.gate import DOCS
from okrsync_github_sandbox.state import GitHubState


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"message": "Not Found", "documentation_url": DOCS}, 404)


def create_app(state: GitHubState) -> Starlette:
    app = Starlette(
        routes=[*graphql_api.routes, Mount("/api/v3", routes=rest.routes), *rest.routes],
        exception_handlers={404: _not_found},
    )
    app.state.github = state
    return app
