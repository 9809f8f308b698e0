"""The http_json metric source: real HTTP on loopback for the happy path, respx for the
narrow mapping of failures to okrsync's errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
import respx
from okrsync_http_json import HttpJsonSource

from okrsync import http
from okrsync.errors import (
    AuthError,
    ConfigError,
    ConnectionFailed,
    NotFound,
    ProtocolError,
    SourceConfigError,
)

pytestmark = pytest.mark.anyio

DOCUMENTS = {
    "/checkout.json": {"data": {"conversion_rate": 2.37, "label": "n/a", "a/b": [4, 5]}},
    "/nps.json": {"score": "41.5"},
}


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        body = DOCUMENTS.get(self.path)
        if self.path == "/html":
            payload, status, kind = b"<html>oops</html>", 200, "text/html"
        elif self.path == "/deep":
            payload, status, kind = b"[" * 100_000 + b"]" * 100_000, 200, "application/json"
        elif body is None:
            payload, status, kind = b"{}", 404, "application/json"
        else:
            payload, status, kind = json.dumps(body).encode(), 200, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_real_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait through okrsync.http.sleep; record the waits instead of sleeping."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(http, "sleep", fake_sleep)
    return waits


def source(url: str, **extra: object) -> HttpJsonSource:
    settings = {
        "type": "http_json",
        "url": url + "/checkout.json",
        "token": "s3cret-metrics-token",
        "metrics": {
            "conversion": "/data/conversion_rate",
            "label": "/data/label",
            "escaped": "/data/a~1b/1",
            "nps": {"url": "/nps.json", "pointer": "/score"},
            "missing": "/data/nope",
            "html": {"url": "/html", "pointer": "/x"},
            "deep": {"url": "/deep", "pointer": "/x"},
            "gone": {"url": "/gone.json", "pointer": "/x"},
        },
        **extra,
    }
    return HttpJsonSource("analytics", settings)


async def test_reads_numbers_by_pointer_with_bearer_token(server: str) -> None:
    _Handler.seen.clear()
    async with source(server) as metrics:
        assert await metrics.read_metric("conversion") == 2.37
        assert await metrics.read_metric("escaped") == 5.0  # ~1 stands for "/"
        assert await metrics.read_metric("nps") == 41.5  # numeric strings are accepted
        assert await metrics.read_metric("conversion") == 2.37
    # One GET per URL per run, each with the token.
    assert _Handler.seen == [
        ("/checkout.json", "Bearer s3cret-metrics-token"),
        ("/nps.json", "Bearer s3cret-metrics-token"),
    ]


async def test_pointer_problems_name_what_is_there(server: str) -> None:
    async with source(server) as metrics:
        with pytest.raises(SourceConfigError, match=r"/data/nope not found .*keys there: a/b"):
            await metrics.read_metric("missing")
        with pytest.raises(SourceConfigError, match="holds 'n/a', not a number"):
            await metrics.read_metric("label")
        with pytest.raises(ConfigError, match="defines: conversion, deep, escaped, gone"):
            await metrics.read_metric("revenue")


async def test_non_json_and_missing_urls(server: str) -> None:
    async with source(server) as metrics:
        with pytest.raises(ProtocolError, match=r"did not answer JSON .*text/html"):
            await metrics.read_metric("html")
        # JSON nested beyond Python's recursion limit is no JSON it can read either.
        with pytest.raises(ProtocolError, match=r"did not answer JSON"):
            await metrics.read_metric("deep")
        with pytest.raises(NotFound, match=r"has nothing at /gone\.json; check the metric's url"):
            await metrics.read_metric("gone")


async def test_unreachable_host_is_a_connection_error(no_real_waiting: list[float]) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Handler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing listens
    metrics = HttpJsonSource(
        "analytics", {"url": f"http://127.0.0.1:{port}/x.json", "metrics": {"m": "/m"}}
    )
    async with metrics:
        with pytest.raises(ConnectionFailed, match=f"cannot reach http://127.0.0.1:{port}"):
            await metrics.read_metric("m")
    assert no_real_waiting, "a refused connection is retried with backoff before giving up"


async def test_rejected_token_never_appears_in_the_message() -> None:
    metrics = HttpJsonSource(
        "analytics",
        {
            "url": "https://metrics.example.com/m.json",
            "token": "tok-123456",
            "metrics": {"m": "/m"},
        },
    )
    with respx.mock(assert_all_called=True) as router:
        router.get("https://metrics.example.com/m.json").mock(return_value=httpx.Response(401))
        async with metrics:
            with pytest.raises(AuthError) as raised:
                await metrics.read_metric("m")
    assert "tok-123456" not in str(raised.value)
    assert str(raised.value) == (
        "analytics: metrics.example.com rejected the credentials for "
        "https://metrics.example.com/m.json: check the source's token"
    )


def test_settings_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="url") as raised:
        HttpJsonSource("analytics", {"url": "ftp://x", "metrics": {"m": "/m"}})
    assert "analytics" in str(raised.value)
    with pytest.raises(ConfigError, match="must start with '/'"):
        HttpJsonSource("analytics", {"url": "https://x", "metrics": {"m": "data/m"}})
