"""Servers that answer like no honest one does, on loopback: one that sends its answer a
byte at a time, one whose answer never ends. Each answers every request on every
connection the same way, so it can stand in for a Jira site or a metric source."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

Answer = Callable[[socket.socket, "Sent"], None]


@dataclass
class Sent:
    """How many body bytes the server got out, across its connections."""

    bytes: int = 0


def _read_request_head(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return
        data += chunk


@contextmanager
def raw_server(answer: Answer) -> Iterator[tuple[str, Sent]]:
    """A loopback server whose every connection gets ``answer`` after its request head;
    yields the base URL and the byte count."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    sent, stop = Sent(), threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            try:
                _read_request_head(connection)
                answer(connection, sent)
            except OSError:
                pass  # the client gave up: exactly what is being tested

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", sent
    finally:
        stop.set()
        thread.join()
        listener.close()


def dripping(interval: float = 0.25, length: int = 1_000_000) -> Answer:
    """A 200 whose announced JSON body comes one byte every ``interval`` seconds: each
    read gets data in time, the whole answer would take days."""

    def answer(connection: socket.socket, sent: Sent) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode()
        )
        for _ in range(length):
            connection.sendall(b" ")
            sent.bytes += 1
            time.sleep(interval)

    return answer


def endless(chunk: int = 64 * 1024) -> Answer:
    """A 200 with a chunked JSON body that never ends, as fast as the client reads."""
    piece = b"[" + b"0," * (chunk // 2)
    framed = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    def answer(connection: socket.socket, sent: Sent) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        while True:
            connection.sendall(framed)
            sent.bytes += len(piece)

    return answer
