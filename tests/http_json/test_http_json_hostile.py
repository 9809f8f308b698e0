"""An http_json source cannot be turned against its owner: the token goes to the
source's origin only (and to hosts listed in ``allowed_hosts``), redirects elsewhere
are not followed, URLs are http(s) without credentials, and a value that is no finite
number, or a pointer to nothing, is an error naming the source, metric and pointer.
Real HTTP on loopback: two servers, one the source, one the stranger."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from okrsync_http_json import HttpJsonSource

from okrsync import http
from okrsync.errors import ConfigError, SourceConfigError

pytestmark = pytest.mark.anyio

TOKEN = "s3cret-metrics-token"
# Python's json module writes (and reads) NaN and Infinity although JSON has neither.
BODIES = {
    "/m.json": b'{"rate": 2.5, "inf": Infinity, "nan": NaN, "text_inf": "inf", "neg": "-Infinity"}',
}


@dataclass
class Host:
    """A loopback server: its base URL and every (path, Authorization) it was sent."""

    url: str
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_real_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_sleep(seconds: float) -> None:
        pass

    monkeypatch.setattr(http, "sleep", fake_sleep)


def _serve() -> Iterator[Host]:
    host = Host("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host.seen.append((self.path, self.headers.get("Authorization")))
            if self.path in host.redirects:
                self.send_response(302)
                self.send_header("Location", host.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = BODIES.get(self.path, json.dumps({"score": 7}).encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield host
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def origin() -> Iterator[Host]:
    yield from _serve()


@pytest.fixture
def stranger() -> Iterator[Host]:
    """Another origin: 127.0.0.1 on another port, reachable as ``localhost`` too."""
    yield from _serve()


def settings(url: str, metrics: dict[str, object], **extra: object) -> dict[str, object]:
    return {"type": "http_json", "url": url, "token": TOKEN, "metrics": metrics, **extra}


def refused(config: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as raised:
        HttpJsonSource("analytics", config)
    message = str(raised.value)
    assert "\n" not in message and TOKEN not in message
    return message


def test_credentials_in_a_url_are_refused_and_never_shown(origin: Host) -> None:
    message = refused(settings("https://bob:hunter2@metrics.example.com/m.json", {"m": "/m"}))
    assert "put credentials in token, not in the URL" in message
    assert "hunter2" not in message
    message = refused(
        settings(
            "https://metrics.example.com/m.json",
            {"m": {"url": "https://bob:hunter2@metrics.example.com/n.json", "pointer": "/x"}},
        )
    )
    assert "metric 'm'" in message and "holds credentials" in message


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://metrics.example.com/m.json", "gopher://x/"]
)
def test_only_http_urls_are_accepted(url: str) -> None:
    assert "expected an http(s) URL" in refused(settings(url, {"m": "/m"}))
    message = refused(
        settings("https://metrics.example.com/m.json", {"m": {"url": url, "pointer": "/x"}})
    )
    assert f"metric 'm': {url!r} is not an http(s) URL" in message


async def test_an_absolute_url_on_another_host_is_refused_unless_allowed(
    origin: Host, stranger: Host
) -> None:
    elsewhere = {"nps": {"url": f"{stranger.url}/nps.json", "pointer": "/score"}}
    message = refused(settings(f"{origin.url}/m.json", elsewhere))
    assert message.startswith("connector 'analytics': metrics: ")
    assert f"metric 'nps': {stranger.url} is another origin than the source's url" in message
    assert "list 127.0.0.1 in allowed_hosts" in message
    # Same host, other scheme: another origin as well.
    https = {"nps": {"url": origin.url.replace("http:", "https:") + "/n", "pointer": "/x"}}
    assert "is another origin" in refused(settings(f"{origin.url}/m.json", https))
    assert stranger.seen == []

    allowed = HttpJsonSource(
        "analytics", settings(f"{origin.url}/m.json", elsewhere, allowed_hosts=["127.0.0.1"])
    )
    async with allowed:
        assert await allowed.read_metric("nps") == 7
    assert stranger.seen == [("/nps.json", f"Bearer {TOKEN}")]


async def test_a_relative_url_stays_on_the_sources_origin(origin: Host) -> None:
    source = HttpJsonSource(
        "analytics",
        settings(f"{origin.url}/api/m.json", {"nps": {"url": "/nps.json", "pointer": "/score"}}),
    )
    async with source:
        assert await source.read_metric("nps") == 7
    assert origin.seen == [("/nps.json", f"Bearer {TOKEN}")]


async def test_a_redirect_to_another_origin_is_not_followed(origin: Host, stranger: Host) -> None:
    origin.redirects["/m.json"] = f"{stranger.url}/steal"
    source = HttpJsonSource("analytics", settings(f"{origin.url}/m.json", {"rate": "/rate"}))
    async with source:
        with pytest.raises(SourceConfigError) as raised:
            await source.read_metric("rate")
    message = str(raised.value)
    assert message.startswith(
        f"analytics: {origin.url}/m.json redirects to {stranger.url}/steal, which okrsync "
        "does not follow: "
    )
    assert TOKEN not in message
    assert stranger.seen == []  # the token never left the origin


async def test_a_redirect_within_the_origin_is_followed(origin: Host) -> None:
    origin.redirects["/old.json"] = "/m.json"
    source = HttpJsonSource("analytics", settings(f"{origin.url}/old.json", {"rate": "/rate"}))
    async with source:
        assert await source.read_metric("rate") == 2.5
    assert [path for path, _ in origin.seen] == ["/old.json", "/m.json"]


@pytest.mark.parametrize(
    ("pointer", "shown"),
    [("/inf", "inf"), ("/nan", "nan"), ("/text_inf", "'inf'"), ("/neg", "'-Infinity'")],
)
async def test_values_that_are_no_finite_number_are_refused(
    origin: Host, pointer: str, shown: str
) -> None:
    source = HttpJsonSource("analytics", settings(f"{origin.url}/m.json", {"conv": pointer}))
    async with source:
        with pytest.raises(SourceConfigError) as raised:
            await source.read_metric("conv")
    assert str(raised.value) == (
        f"analytics: metric 'conv': {pointer} in {origin.url}/m.json holds {shown}, "
        "not a finite number"
    )


async def test_a_pointer_to_nothing_names_source_metric_and_pointer(origin: Host) -> None:
    source = HttpJsonSource("analytics", settings(f"{origin.url}/m.json", {"conv": "/data/x"}))
    async with source:
        with pytest.raises(SourceConfigError) as raised:
            await source.read_metric("conv")
    assert str(raised.value).startswith(
        f"analytics: metric 'conv': JSON pointer /data/x not found in {origin.url}/m.json: "
        "nothing at / + 'data'"
    )
