"""Jira's error body, ``{"errorMessages": [...], "errors": {...}}``, for every failure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.responses import JSONResponse

ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."
BAD_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."
NOT_AUTHENTICATED = "Client must be authenticated to access this resource."


class JiraError(Exception):
    """Raised by handlers; the app turns it into Jira's error response."""

    def __init__(
        self,
        status: int,
        messages: Sequence[str] = (),
        errors: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.messages = list(messages)
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.messages or self.errors}")


def error_body(
    messages: Sequence[str] = (), errors: Mapping[str, str] | None = None
) -> dict[str, object]:
    return {"errorMessages": list(messages), "errors": dict(errors or {})}


def error_response(error: JiraError) -> JSONResponse:
    return JSONResponse(error_body(error.messages, error.errors), error.status, error.headers)


def bad_request(message: str) -> JiraError:
    return JiraError(400, [message])


def issue_not_found() -> JiraError:
    return JiraError(404, [ISSUE_NOT_FOUND])
