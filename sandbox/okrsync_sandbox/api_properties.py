"""Issue entity properties: JSON values up to 32,768 bytes, set idempotently with PUT.

Comment properties (``api_comments``) follow the same rules."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okrsync_sandbox.endpoint import check_writable, find_issue, sandbox, view_of
from okrsync_sandbox.http_errors import JiraError, bad_request

MAX_VALUE_BYTES = 32768
MAX_KEY_LENGTH = 255


def property_value(name: str, raw: bytes) -> Any:
    """The JSON value sent for property ``name``, checked as Jira checks every entity
    property (issue and comment alike)."""
    if len(name) > MAX_KEY_LENGTH:
        raise bad_request(f"The property key cannot be longer than {MAX_KEY_LENGTH} characters.")
    if not raw.strip():
        raise bad_request("The property value cannot be empty.")
    if len(raw) > MAX_VALUE_BYTES:
        raise bad_request(
            f"The property value is too long: {len(raw)} bytes, the maximum is {MAX_VALUE_BYTES}."
        )
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request("The property value must be valid JSON.") from None


def listed_properties(payload: dict[str, Any], entity: str) -> dict[str, Any]:
    """The ``properties`` sent with a new ``entity`` (comment, issue): a list of
    ``{key, value}``, each checked as a PUT of it would be."""
    listed = payload.get("properties", [])
    if not isinstance(listed, list):
        raise bad_request(f"The {entity} properties must be a list of {{key, value}} objects.")
    found: dict[str, Any] = {}
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise bad_request(f"Every {entity} property needs a key and a value.")
        if "value" not in entry:
            raise bad_request("The property value cannot be empty.")
        raw = json.dumps(entry["value"], separators=(",", ":"), ensure_ascii=False).encode()
        found[entry["key"]] = property_value(entry["key"], raw)
    return found


def missing_property(key: str) -> JiraError:
    return JiraError(404, [f"The property with key '{key}' does not exist."])


async def property_keys(request: Request) -> JSONResponse:
    state, view = sandbox(request), view_of(request)
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        keys = [
            {"self": view.api(f"issue/{issue.id}/properties/{k}"), "key": k}
            for k in issue.properties
        ]
    return JSONResponse({"keys": keys})


async def get_property(request: Request) -> JSONResponse:
    state = sandbox(request)
    name = request.path_params["property"]
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        if name not in issue.properties:
            raise missing_property(name)
        return JSONResponse({"key": name, "value": issue.properties[name]})


async def set_property(request: Request) -> Response:
    state = sandbox(request)
    name = request.path_params["property"]
    value = property_value(name, await request.body())
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        created = name not in issue.properties
        issue.properties[name] = value
        state.touch()  # properties do not change the issue's ``updated``
    return Response(status_code=201 if created else 200)


async def delete_property(request: Request) -> Response:
    state = sandbox(request)
    name = request.path_params["property"]
    with state.lock:
        issue = find_issue(state, request.path_params["key"])
        check_writable(state, issue)
        if name not in issue.properties:
            raise missing_property(name)
        del issue.properties[name]
        state.touch()
    return Response(status_code=204)


_PROPERTY = "/rest/api/{v:int}/issue/{key}/properties/{property}"

routes = [
    Route("/rest/api/{v:int}/issue/{key}/properties", property_keys, methods=["GET"]),
    Route(_PROPERTY, get_property, methods=["GET"]),
    Route(_PROPERTY, set_property, methods=["PUT"]),
    Route(_PROPERTY, delete_property, methods=["DELETE"]),
]
