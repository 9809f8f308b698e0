"""Run the sandbox on loopback in a background thread, for tests and ``okrsync demo``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from okrsync_sandbox.app import create_app
from okrsync_sandbox.dataset import API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.faults import Faults
from okrsync_sandbox.loopback import LoopbackSite
from okrsync_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_sandbox.state import Deployment, SandboxState


class SandboxServer(LoopbackSite):
    """``with SandboxServer() as jira: httpx.get(jira.url + "/rest/api/3/myself", auth=jira.auth)``.

    Binds 127.0.0.1 on a free port. ``state`` is the live site: change it between
    requests to make Jira "change" under the code being tested. Without ``state`` or
    ``anchor`` the site is seeded in the current quarter; tests that hand-compute values
    pass ``anchor=FIXED_ANCHOR``.
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        anchor: date | None = None,
        extra_issues: int = 0,
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
        deployment: Deployment | None = None,
        absent_apis: Iterable[str] = (),
    ) -> None:
        self.state = (
            state if state is not None else build_dataset(anchor, extra_issues=extra_issues)
        )
        if deployment is not None:
            # "Server" or "DataCenter" serve the Data Center dialect (see dialect.py).
            self.state.deployment = deployment
        if clock is not None:
            # Writes are stamped with this clock; a site seeded around a fixed anchor ends
            # at anchor + 46 days, one seeded in the current quarter before the real now.
            self.state.clock = clock
        if absent_apis:
            self.absent_apis = set(absent_apis)
        super().__init__(port)

    # --- the knobs tests use -------------------------------------------------------------

    @property
    def log(self) -> RequestLog:
        return self.state.log

    @property
    def writes(self) -> list[LoggedRequest]:
        """Logged requests that change data (faulted ones included; see ``.fault``)."""
        return self.state.log.writes()

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def latency(self) -> float:
        return self.state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.state.latency = seconds

    @property
    def absent_apis(self) -> set[str]:
        """APIs the site lacks: paths, ``{name}`` standing for one segment, that answer
        (with all below them) 404 ``null for uri``, as a site without them does."""
        return self.state.absent_apis

    @absent_apis.setter
    def absent_apis(self, paths: Iterable[str]) -> None:
        # A new set: the server thread may be reading the old one.
        self.state.absent_apis = set(paths)

    def reset_log(self) -> None:
        self.state.log.clear()

    @property
    def auth(self) -> tuple[str, str]:
        """Basic credentials of the seeded API user: its email on Cloud, its user name
        on Data Center."""
        login = BOT_EMAIL if self.state.is_cloud else BOT_EMAIL.split("@", 1)[0]
        return (login, API_TOKEN)

    @property
    def pat(self) -> str:
        """The seeded Personal Access Token (Bearer)."""
        return PAT

    # --- lifecycle ---------------------------------------------------------------------------

    _what = "the Jira sandbox"

    def _app(self) -> Any:
        return create_app(self.state)

    def _started(self, url: str) -> None:
        self.state.base_url = url
