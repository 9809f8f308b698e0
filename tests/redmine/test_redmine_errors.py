"""Redmine's failures through the shared map keep Redmine's own advice."""

from __future__ import annotations

import httpx
import pytest
from okrsync_redmine.errors import error_for_response

from okrsync.errors import AuthError, NotFound, PermissionDenied, QueryError, SourceConfigError

BASE = "https://redmine.example"


def mapped(status: int, *, query: bool = False, **kw: object) -> Exception:
    request = httpx.Request("PUT", BASE + "/issues/7.json")
    response = httpx.Response(status, request=request, **kw)  # type: ignore[arg-type]
    return error_for_response(response, source="redmine", base_url=BASE, query=query)


def test_an_unknown_key_says_where_the_key_and_the_rest_api_setting_are() -> None:
    error = mapped(401)
    assert type(error) is AuthError
    assert str(error) == (
        "redmine: Redmine rejected the credentials for https://redmine.example: it does not "
        "know the API key (a key Redmine does not know is an error, never an anonymous "
        "read); copy the key from My account (API access key) into the connector's token; "
        "check that the REST web service is enabled (Administration » Settings » API)"
    )


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (
            403,
            PermissionDenied,
            "redmine: the Redmine account may not PUT /issues/7.json; give it a role with the "
            "permission in the project or use another account; if the REST web service is "
            "off, enable it in Administration » Settings » API",
        ),
        (
            404,
            NotFound,
            "redmine: Redmine has nothing at /issues/7.json; check the issue id, project "
            "identifier or query id, and that the account can see it",
        ),
    ],
)
def test_missing_permissions_and_things_name_redmines_remedies(
    status: int, kind: type[Exception], message: str
) -> None:
    error = mapped(status, headers={"Content-Type": "text/html"}, text="<html>Forbidden</html>")
    assert type(error) is kind
    assert str(error) == message


def test_redmines_own_reasons_are_kept() -> None:
    body = {"errors": ["Subject cannot be blank", "Tracker is invalid"]}
    refused = mapped(422, json=body)
    assert type(refused) is SourceConfigError
    assert str(refused) == (
        "redmine: Redmine rejected PUT /issues/7.json (Subject cannot be blank; Tracker is invalid)"
    )
    query = mapped(422, query=True, json={"errors": ["Status is invalid"]})
    assert type(query) is QueryError
    assert str(query) == "redmine: Redmine rejected the query: Status is invalid; check its filters"
