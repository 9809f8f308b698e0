"""The one status-to-error map: every class, with the tool's words and no secret."""

from __future__ import annotations

import httpx
import pytest
from http_clock import EPOCH_START

from okrsync.errors import (
    AuthError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QueryError,
    RateLimited,
    ServerError,
    SourceConfigError,
)
from okrsync.http_errors import ToolWords, error_for_response, error_for_transport
from okrsync.secrets import register

WORDS = ToolWords("Tool", credentials="check the API key", permission="make it a reporter")
BASE = "https://tool.example"


def answer(
    status: int, method: str = "GET", path: str = "/issues/7", **kw: object
) -> httpx.Response:
    request = httpx.Request(method, BASE + path)
    return httpx.Response(status, request=request, **kw)  # type: ignore[arg-type]


def mapped(response: httpx.Response, *, query: bool = False, detail: str = "") -> Exception:
    return error_for_response(
        response, source="t", words=WORDS, base_url=BASE, detail=detail, query=query
    )


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (
            401,
            AuthError,
            "t: Tool rejected the credentials for https://tool.example: check the API key",
        ),
        (
            403,
            PermissionDenied,
            "t: the Tool account may not GET /issues/7; make it a reporter or use another account",
        ),
        (
            404,
            NotFound,
            "t: Tool has nothing at /issues/7; check the key, id or url, and that the account "
            "can see it",
        ),
        (409, SourceConfigError, "t: Tool rejected GET /issues/7"),
        (503, ServerError, "t: Tool answered 503 to GET /issues/7; try again later"),
        (
            418,
            ProtocolError,
            "t: Tool answered 418 to GET /issues/7, which okrsync does not expect",
        ),
    ],
)
def test_each_status_maps_to_its_class_with_actionable_words(
    status: int, kind: type[Exception], message: str
) -> None:
    error = mapped(answer(status))
    assert type(error) is kind
    assert str(error) == message


def test_a_rejected_query_carries_the_tools_explanation() -> None:
    error = mapped(answer(422, path="/search"), query=True, detail="unknown qualifier 'lable'")
    assert type(error) is QueryError
    assert str(error) == "t: Tool rejected the query: unknown qualifier 'lable'"


def test_rate_limits_in_disguise_are_rate_limits() -> None:
    secondary = mapped(answer(403, headers={"Retry-After": "30"}))
    assert type(secondary) is RateLimited
    assert secondary.retry_after == 30.0
    assert str(secondary) == (
        "t: Tool kept rate-limiting GET /issues/7 (secondary rate limit); run again later "
        "or lower the connector's concurrency"
    )
    graphql = mapped(
        answer(200, method="POST", path="/graphql", json={"errors": [{"type": "RATE_LIMITED"}]})
    )
    assert type(graphql) is RateLimited


def test_a_spent_quota_names_when_to_run_again() -> None:
    reset = str(int(EPOCH_START) + 3600)  # the fake wall clock stands at 2027-01-01 00:00
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    error = mapped(answer(403, headers=headers))
    assert type(error) is RateLimited
    assert error.retry_after == 3600.0
    assert "run again after 01:00 UTC" in str(error)


def test_details_and_urls_are_redacted() -> None:
    register("s3cr3t-value-1234")
    error = mapped(answer(500, path="/x"), detail="token s3cr3t-value-1234 refused")
    assert "s3cr3t-value-1234" not in str(error)


def test_a_transport_failure_is_a_connection_failure() -> None:
    request = httpx.Request("GET", BASE)
    error = error_for_transport(httpx.ReadTimeout("", request=request), source="t", url=BASE)
    assert type(error) is ConnectionFailed
    assert (
        str(error)
        == "t: cannot reach https://tool.example: timed out; check the url and your network"
    )


def test_a_tools_hints_follow_the_shared_words() -> None:
    words = ToolWords(
        "Tool",
        missing="check the board id",
        query="check its filters",
        hints={401: "enable the API in Settings", 403: "ask an admin for it"},
    )

    def error(status: int, *, query: bool = False) -> Exception:
        return error_for_response(
            answer(status), source="t", words=words, base_url=BASE, query=query
        )

    assert str(error(401)) == (
        "t: Tool rejected the credentials for https://tool.example: check the connector's "
        "token; enable the API in Settings"
    )
    assert str(error(403)) == (
        "t: the Tool account may not GET /issues/7; grant it the permission or use another "
        "account; ask an admin for it"
    )
    assert str(error(404)) == "t: Tool has nothing at /issues/7; check the board id"
    assert str(error(400, query=True)) == (
        "t: Tool rejected the query: no reason given; check its filters"
    )
    # A rate limit in a status that has a hint is still a rate limit, without the hint.
    limited = error_for_response(
        answer(403, headers={"Retry-After": "5"}), source="t", words=words, base_url=BASE
    )
    assert type(limited) is RateLimited
    assert "ask an admin" not in str(limited)
