"""Run the GitHub sandbox on loopback in a background thread, for tests and the demo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from okrsync_sandbox.loopback import LoopbackSite

from okrsync_github_sandbox.app import create_app
from okrsync_github_sandbox.dataset import TOKEN, build_dataset
from okrsync_github_sandbox.faults import Faults
from okrsync_github_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_github_sandbox.state import GitHubState


class GitHubSandbox(LoopbackSite):
    """``with GitHubSandbox(anchor=FIXED_ANCHOR) as github: ...`` — ``github.url`` is
    the REST root (GraphQL at ``github.url + "/graphql"``), ``github.token`` the seeded
    bot's token. ``state`` is the live organization: change it between requests."""

    def __init__(
        self,
        state: GitHubState | None = None,
        *,
        anchor: date | None = None,
        clock: Callable[[], datetime] | None = None,
        port: int = 0,
    ) -> None:
        self.state = state if state is not None else build_dataset(anchor)
        if clock is not None:
            self.state.clock = clock
        super().__init__(port)

    @property
    def token(self) -> str:
        return TOKEN

    @property
    def log(self) -> RequestLog:
        return self.state.log

    @property
    def writes(self) -> list[LoggedRequest]:
        """Requests that changed data (refused ones left out)."""
        return [
            w
            for w in self.state.log.writes()
            if isinstance(w, LoggedRequest) and w.status is not None and w.status < 400
        ]

    @property
    def faults(self) -> Faults:
        return self.state.faults

    _what = "the GitHub sandbox"

    def _app(self) -> Any:
        return create_app(self.state)

    def _started(self, url: str) -> None:
        self.state.base_url = url
