"""Serving the app under uvicorn until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
from types import FrameType

import uvicorn

from okrsync.serve.app import build_app
from okrsync.serve.service import Service


class _Server(uvicorn.Server):
    """SIGTERM is how systemd and Kubernetes stop a service: once the graceful stop is
    done the process exits 0, instead of being killed by the signal raised again."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)


def serve_forever(service: Service, host: str, port: int, *, grace: float) -> None:
    """Listen on ``host:port`` until stopped; the app's lifespan lets runs finish."""
    server = _Server(
        uvicorn.Config(
            build_app(service, grace=grace),
            host=host,
            port=port,
            log_config=None,
            lifespan="on",
            # Open requests (a dashboard's poll) get this long; runs get ``grace``.
            timeout_graceful_shutdown=5,
        )
    )
    server.run()
