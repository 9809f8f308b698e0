"""Toy Tracker: a tiny issue tracker on loopback, to develop and test the connector against.

Its API (JSON, ``Authorization: Bearer TOKEN``):

- ``GET /api/items?project=P[&updated_since=ISO][&page=N]``: a project's items, two a
  page, each with its history of status and points; a ``Link: <...>; rel="next"``
  header while more pages follow. ``GET /api/ids?project=P``: the ids of all of them.
- ``GET /api/items/ID``: one item; ``PUT /api/items/ID/fields/NAME`` ``{"value": x}``
  sets one of its number fields (``progress``).
- ``GET /api/items/ID/comments``; ``POST /api/items/ID/comments`` ``{"body": ...}``;
  ``PUT /api/comments/CID`` ``{"body": ...}``.

``with ToyServer() as toy: ...`` serves the seeded data below on a free port;
``toy.failing(status)`` makes it answer ``status`` to everything for a while;
``toy.writes`` counts the requests that changed something.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "toy-token-0123456789"
PAGE_SIZE = 2


# Project shop: 1 done, 2 in progress (re-estimated), 3 to do; item 9 stands for a KR.
# (id, project, title, created on January (day, hour), status, points, history as
# (change id, day, hour, field, from, to))
ITEMS = [
    ("1", "shop", "One-click button", (2, 9), "done", 3.0,
     [(1, 4, 10, "status", "todo", "doing"), (2, 8, 16, "status", "doing", "done")]),
    ("2", "shop", "Saved cards", (3, 9), "doing", 8.0,
     [(3, 5, 9, "points", "5.0", "8.0"), (4, 10, 11, "status", "todo", "doing")]),
    ("3", "shop", "Address autofill", (12, 9), "todo", 2.0, []),
    ("9", "okr", "KR: ship one-click", (1, 9), "todo", None, []),
]  # fmt: skip


def at(day: int, hour: int) -> str:
    """An instant of January 2027, written as Toy Tracker writes them."""
    return datetime(2027, 1, day, hour, tzinfo=UTC).isoformat()


def seeded() -> dict[str, dict[str, Any]]:
    items = {}
    for id, project, title, (day, hour), status, points, history in ITEMS:
        changes = [
            {"id": n, "at": at(d, h), "field": name, "from": old, "to": new}
            for n, d, h, name, old, new in history
        ]
        created = at(day, hour)
        updated = max([created, *(c["at"] for c in changes)])
        items[id] = {"id": id, "project": project, "title": title, "created": created,
                     "updated": updated, "status": status, "points": points,
                     "fields": {"progress": None} if project == "okr" else {},
                     "history": changes}  # fmt: skip
    return items


class ToyServer:
    def __init__(self) -> None:
        self.items = seeded()
        self.comments: dict[str, dict[str, Any]] = {}
        self.writes = 0
        self.fault: int | None = None
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._http.server_port}"

    def __enter__(self) -> ToyServer:
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.shutdown()
        self._http.server_close()

    @contextmanager
    def failing(self, status: int) -> Iterator[None]:
        self.fault = status
        try:
            yield
        finally:
            self.fault = None

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "ids"]:
            return 200, [i["id"] for i in self._matching(query)]
        if parts[:2] == ["api", "items"] and len(parts) == 2:
            return 200, self._matching(query)
        item = self.items.get(parts[2]) if len(parts) > 2 and parts[1] == "items" else None
        if method == "GET" and item and len(parts) == 3:
            return 200, item
        if method == "PUT" and item and parts[3:4] == ["fields"] and parts[4] in item["fields"]:
            item["fields"][parts[4]] = body["value"]
            return 204, None
        if method == "GET" and item and parts[3:] == ["comments"]:
            return 200, [c for c in self.comments.values() if c["item"] == item["id"]]
        if method == "POST" and item and parts[3:] == ["comments"]:
            comment = {"id": str(len(self.comments) + 1), "item": item["id"], "body": body["body"]}
            self.comments[comment["id"]] = comment
            return 201, comment
        if method == "PUT" and parts[:2] == ["api", "comments"] and parts[2] in self.comments:
            self.comments[parts[2]]["body"] = body["body"]
            return 204, None
        return 404, {"error": f"no such thing: {path}"}

    def _matching(self, query: dict[str, str]) -> list[dict[str, Any]]:
        unknown = sorted(set(query) - {"project", "updated_since", "page"})
        if unknown:
            raise ValueError(f"unknown filter {unknown[0]!r}")
        since = query.get("updated_since", "")
        return [
            i
            for i in self.items.values()
            if i["project"] == query.get("project") and i["updated"] >= since
        ]


def _handler(server: ToyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            if server.fault is not None:
                return self._send(server.fault, {"error": "the toy tracker is failing"})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"error": "unknown token"})
            try:
                status, answer = server.answer(method, url.path, query, body)
            except ValueError as problem:
                return self._send(400, {"error": str(problem)})
            if method != "GET" and status < 400:
                server.writes += 1
            if isinstance(answer, list) and url.path == "/api/items":
                page = int(query.get("page", "1"))
                answer = answer[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                more = len(server._matching(query)) > page * PAGE_SIZE
                query["page"] = str(page + 1)
                link = f'</api/items?{urlencode(query)}>; rel="next"'
                return self._send(200, answer, {"Link": link} if more else {})
            self._send(status, answer)

        def _send(self, status: int, answer: Any, headers: dict[str, str] | None = None) -> None:
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            if status == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    return Handler
