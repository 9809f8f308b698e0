"""Paginators: Link headers over real HTTP, GraphQL cursors, and tokens that repeat."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from okrsync.errors import ProtocolError
from okrsync.http import make_client
from okrsync.paging import GraphQLCursorPaginator, LinkPaginator, link_targets, pages

pytestmark = pytest.mark.anyio

ITEMS = list(range(1, 8))  # seven items, three per page: pages of 3, 3, 1


class _Pages(BaseHTTPRequestHandler):
    """GET /items?page=N: three items per page, GitHub's Link header; ``/loop`` always
    links to page 2."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        page = int(parse_qs(url.query).get("page", ["1"])[0])
        body = json.dumps(ITEMS[(page - 1) * 3 : page * 3]).encode()
        base = f"http://{self.headers['Host']}{url.path}"
        links = [f'<{base}?page=1>; rel="first"']
        if url.path == "/loop":
            links.append(f'<{base}?page=2>; rel="next"')
        elif page * 3 < len(ITEMS):
            links.append(f'<{base}?page={page + 1}>; rel="next"')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Link", ", ".join(links))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_link_targets_reads_every_relation_as_rfc_8288_writes_them() -> None:
    header = (
        '<https://api.example/r?page=2>; rel="next", '
        "<https://api.example/r?page=9>;rel=last, "
        '<https://api.example/r?page=1> ; title="x, y"; rel="first prev"'
    )
    assert link_targets(header) == {
        "next": "https://api.example/r?page=2",
        "last": "https://api.example/r?page=9",
        "first": "https://api.example/r?page=1",
        "prev": "https://api.example/r?page=1",
    }
    assert link_targets(None) == {}


async def test_link_pages_follow_next_until_the_last_page(server: str) -> None:
    async with make_client(server) as http:
        seen: list[int] = []
        async for page in pages(lambda url: http.get(url or "/items"), LinkPaginator()):
            seen.extend(page.json())
    assert seen == ITEMS


async def test_a_next_link_seen_before_stops_the_reading(server: str) -> None:
    async with make_client(server) as http:
        read = 0
        with pytest.raises(ProtocolError, match="same next-page token twice"):
            async for _ in pages(lambda url: http.get(url or "/loop"), LinkPaginator(), source="t"):
                read += 1
    assert read == 2  # page 1, page 2; page 2 links to itself: no third request


def _connection(items: list[int], cursor: str | None) -> dict[str, Any]:
    info = {"hasNextPage": cursor is not None, "endCursor": cursor}
    return {"data": {"node": {"timelineItems": {"nodes": items, "pageInfo": info}}}}


async def test_graphql_cursors_are_followed_at_their_path() -> None:
    answers = {None: _connection([1, 2], "c1"), "c1": _connection([3], None)}
    asked: list[str | None] = []

    async def fetch(cursor: str | None) -> dict[str, Any]:
        asked.append(cursor)
        return answers[cursor]

    paginator = GraphQLCursorPaginator(("node", "timelineItems"))
    got = [
        n
        async for page in pages(fetch, paginator)
        for n in page["data"]["node"]["timelineItems"]["nodes"]
    ]
    assert got == [1, 2, 3]
    assert asked == [None, "c1"]


def test_a_graphql_answer_without_page_info_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match=r"no data\.search\.pageInfo"):
        GraphQLCursorPaginator(("search",))({"data": {"search": {"nodes": []}}})
    broken = {"data": {"search": {"pageInfo": {"hasNextPage": True, "endCursor": None}}}}
    with pytest.raises(ProtocolError, match="gives no cursor"):
        GraphQLCursorPaginator(("search",))(broken)


def test_httpx_is_what_link_pages_hand_out() -> None:
    assert LinkPaginator()(httpx.Response(200)) is None
