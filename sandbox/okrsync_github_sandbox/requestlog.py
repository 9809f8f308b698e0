"""Every request the GitHub sandbox answered (the Jira sandbox's log, with GitHub's idea
of a write: a POST to ``/graphql`` writes only when it is a mutation)."""

from __future__ import annotations

from dataclasses import dataclass

from okrsync_sandbox.requestlog import LoggedRequest as _Logged
from okrsync_sandbox.requestlog import RequestLog

__all__ = ["LoggedRequest", "RequestLog"]


@dataclass
class LoggedRequest(_Logged):
    conditional: bool = False  # sent with If-None-Match

    @property
    def graphql_query(self) -> str | None:
        if self.path.endswith("/graphql") and isinstance(self.body, dict):
            return str(self.body.get("query", ""))
        return None

    @property
    def is_write(self) -> bool:
        if self.method in ("PATCH", "PUT", "DELETE"):
            return True
        if self.method != "POST":
            return False
        query = self.graphql_query
        return query is None or query.lstrip().startswith("mutation")
