"""Serving a sandbox's ASGI app on loopback, in a thread of its own: what every
bundled sandbox (Jira's, GitHub's) shares."""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from datetime import date
from types import TracebackType
from typing import Any, Self

import uvicorn

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


class LoopbackSite:
    """Starts ``_app()`` on 127.0.0.1 (a free port unless one is given) and stops it;
    ``url`` is where it answers, also given to the state as its ``base_url``."""

    _what = "the sandbox"  # for the error when it cannot start

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def _app(self) -> Any:
        raise NotImplementedError

    def _started(self, url: str) -> None:
        """Called with the URL once the site answers."""

    def start(self) -> Self:
        config = uvicorn.Config(
            self._app(),
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
        name = "okrsync-" + self._what.replace("the ", "").replace(" ", "-").lower()
        thread = threading.Thread(target=server.run, name=name, daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(_STARTUP_TIMEOUT)
                raise RuntimeError(f"{self._what} did not start")
            time.sleep(0.002)
        port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        self.url = f"http://127.0.0.1:{port}"
        self._started(self.url)
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


def sandbox_arguments(prog: str, description: str | None, port: int) -> argparse.ArgumentParser:
    """The command line every sandbox takes: ``--port`` and ``--seed-anchor``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--port", type=int, default=port, help="port on 127.0.0.1 (0: any free one)"
    )
    parser.add_argument(
        "--seed-anchor",
        type=date.fromisoformat,
        default=None,
        help="cycle start to place the seeded data around (YYYY-MM-DD; default: the start "
        "of the current quarter)",
    )
    return parser


def serve_until_interrupted() -> None:
    """Keep the calling thread (and the sandbox's server thread) alive until Ctrl+C."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
