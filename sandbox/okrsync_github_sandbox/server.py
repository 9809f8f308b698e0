"""Run the GitHub sandbox on loopback in a background thread, for tests and the demo."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from types import TracebackType
from typing import Self

import uvicorn
from okrsync_sandbox.server import _LoopbackServer

from okrsync_github_sandbox.app import create_app
from okrsync_github_sandbox.dataset import TOKEN, build_dataset
from okrsync_github_sandbox.faults import Faults
from okrsync_github_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_github_sandbox.state import GitHubState

_STARTUP_TIMEOUT = 10.0


class GitHubSandbox:
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
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

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

    def start(self) -> Self:
        config = uvicorn.Config(
            create_app(self.state),
            host="127.0.0.1",
            port=self._port,
            http="h11",
            loop="asyncio",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = _LoopbackServer(config)
        thread = threading.Thread(target=server.run, name="okrsync-github-sandbox", daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(_STARTUP_TIMEOUT)
                raise RuntimeError("the GitHub sandbox did not start")
            time.sleep(0.002)
        port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        self.url = f"http://127.0.0.1:{port}"
        self.state.base_url = self.url
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(_STARTUP_TIMEOUT)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
