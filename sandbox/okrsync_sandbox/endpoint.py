"""Small helpers every handler uses: who is asking, parameters, JSON bodies."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from okrsync_sandbox.dialect import api_version
from okrsync_sandbox.http_errors import BAD_PAYLOAD, JiraError, bad_request, issue_not_found
from okrsync_sandbox.model import Issue, User
from okrsync_sandbox.render import View
from okrsync_sandbox.state import SandboxState


class BulkJSONResponse(JSONResponse):
    """``JSONResponse`` for answers of many issues (a bulk fetch is MBs), encoded by
    orjson in a fifth of the standard encoder's time. Its text is Starlette's for
    every value the sandbox holds (only a float below 1e-4 would be written 1e-7
    instead of 1e-07, the same number). What orjson refuses (integers beyond 64
    bits, keys that are not text, lone surrogates) is encoded as Starlette does."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except orjson.JSONEncodeError:
            return super().render(content)


def sandbox(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def view_of(request: Request) -> View:
    user: User = request.state.user
    state = sandbox(request)
    version = api_version(state, request.path_params)
    return View(str(request.base_url).rstrip("/"), user, state, version)


async def json_object(request: Request, *, allowed: set[str] | None = None) -> dict[str, Any]:
    """The request body as a JSON object; Jira rejects anything else with 400."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        raise bad_request(BAD_PAYLOAD) from None
    if not isinstance(body, dict):
        raise bad_request(BAD_PAYLOAD)
    if allowed is not None and not set(body) <= allowed:
        raise bad_request(BAD_PAYLOAD)
    return body


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"The '{name}' parameter must be a number, but it is '{raw}'.") from None


def int_value(value: Any, name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(BAD_PAYLOAD)
    return value


def find_issue(state: SandboxState, id_or_key: str) -> Issue:
    issue = state.issue(id_or_key)
    if issue is None:
        raise issue_not_found()
    return issue


def check_writable(state: SandboxState, issue_or_project: Issue | str) -> None:
    key = issue_or_project if isinstance(issue_or_project, str) else issue_or_project.project.key
    if key in state.forbidden_projects:
        raise JiraError(403, ["You do not have permission to edit issues in this project."])


def csv(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
