"""Redmine's HTTP failures as okrsync's error classes, in words a champion can act on.

The classes and messages come from the one map every connector shares
(``okrsync.http_errors``), in Redmine's words (``REDMINE``). What is Redmine's own is
its explanation: a refused write comes as ``{"errors": ["Subject cannot be blank", ...]}``
(422); other failures with an empty body or an HTML page, whose words are kept without
the markup. Text from Redmine passes through ``redact`` first.
"""

from __future__ import annotations

import httpx

from okrsync.errors import SourceError
from okrsync.http_errors import (
    ToolWords,
    error_for_transport,
    plain_text,
    short_detail,
)
from okrsync.http_errors import error_for_response as shared_error_for_response
from okrsync.json_answers import loads_answer

__all__ = ["REDMINE", "error_for_response", "error_for_transport", "redmine_messages"]

_REST_API = "Administration » Settings » API"
REDMINE = ToolWords(
    "Redmine",
    credentials=(
        "it does not know the API key (a key Redmine does not know is an error, never an "
        "anonymous read); copy the key from My account (API access key) into the "
        "connector's token"
    ),
    permission="give it a role with the permission in the project",
    missing="check the issue id, project identifier or query id, and that the account can see it",
    query="check its filters",
    hints={
        401: f"check that the REST web service is enabled ({_REST_API})",
        403: f"if the REST web service is off, enable it in {_REST_API}",
    },
)


def redmine_messages(response: httpx.Response) -> str:
    """Redmine's own explanation of a failure, as one short line ('' when none)."""
    text = response.text
    try:
        body = loads_answer(text) if text.strip() else None
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return short_detail([str(message) for message in body["errors"]])
    if "html" in response.headers.get("Content-Type", ""):
        return ""  # a full error page: its words are navigation, not a reason
    return short_detail([plain_text(text)])


def error_for_response(
    response: httpx.Response, *, source: str, base_url: str, query: bool = False
) -> SourceError:
    """The error to raise for a failed response. ``query``: the request ran a filter."""
    return shared_error_for_response(
        response,
        source=source,
        words=REDMINE,
        base_url=base_url,
        detail=redmine_messages(response),
        query=query,
    )
