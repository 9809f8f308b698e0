"""Run the sandbox on loopback in a background thread, for tests and ``okrsync demo``."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from types import TracebackType
from typing import Self

import uvicorn

from okrsync_sandbox.app import create_app
from okrsync_sandbox.dataset import API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.faults import Faults
from okrsync_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_sandbox.state import Deployment, SandboxState

_STARTUP_TIMEOUT = 10.0
_TICK = 0.005


class _LoopbackServer(uvicorn.Server):
    """uvicorn, minus its 0.1 s ticks: tests start and stop hundreds of these.

    The main loop polls ``should_exit`` every 5 ms, and shutdown waits only as long as
    open connections need (idle keep-alive ones close at once).
    """

    async def main_loop(self) -> None:
        ticks = 0
        # on_tick refreshes the Date header when its counter is a multiple of 10: once a second.
        while not await self.on_tick(0 if ticks == 0 else 1):
            await asyncio.sleep(_TICK)
            ticks = (ticks + 1) % int(1 / _TICK)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _STARTUP_TIMEOUT
        while (self.server_state.connections or self.server_state.tasks) and loop.time() < deadline:
            await asyncio.sleep(_TICK)
        for task in list(self.server_state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()


class SandboxServer:
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
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

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
        thread = threading.Thread(target=server.run, name="okrsync-sandbox", daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(_STARTUP_TIMEOUT)
                raise RuntimeError("the Jira sandbox did not start")
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
