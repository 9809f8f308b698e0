"""``python -m bench.host --issues N --latency S``: the sandbox in a process of its own.

The sandbox's own CLI (``python -m okrsync_sandbox``) can neither set a latency nor
show its request log to another process, so the benchmark drives the sandbox through
this host: one JSON object per line on stdin, one answer per line on stdout.

    {"cmd": "reset"}                 forget the request log, restart the CPU clock
    {"cmd": "summary"}               requests since the reset, by route; sandbox CPU
    {"cmd": "change", "count": K}    change K issues (bench.changes)
    {"cmd": "quit"}

The first line written is ``{"url": ..., "build_seconds": ..., ...}`` once serving.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from okrsync_sandbox import LoggedRequest, SandboxServer, build_dataset

from bench.changes import PROJECT, change_issues

ANCHOR = date(2027, 1, 1)
_ISSUE_SEGMENT = re.compile(r"/issue/(?!bulkfetch\b)[^/]+")
_BOARD_SEGMENT = re.compile(r"/(board|sprint)/\d+")


def route_of(method: str, path: str) -> str:
    """``GET /rest/api/3/issue/{key}``: a request's route, without its ids."""
    path = _ISSUE_SEGMENT.sub("/issue/{key}", path)
    path = _BOARD_SEGMENT.sub(r"/\1/{id}", path)
    return f"{method} {path}"


def is_continuation(entry: LoggedRequest) -> bool:
    """A request for a page after the first (token or offset paging)."""
    if isinstance(entry.body, dict) and entry.body.get("nextPageToken"):
        return True
    params = entry.params
    return bool(params.get("nextPageToken")) or params.get("startAt", "0") not in ("", "0")


def _jira_route(entry: LoggedRequest) -> str:
    return route_of(entry.method, entry.path)


def summarize(
    entries: list[Any],
    route: Callable[[Any], str] = _jira_route,
    continued: Callable[[Any], bool] = is_continuation,
) -> dict[str, Any]:
    """Requests by route, those for a later page, and the failed ones."""
    routes: Counter[str] = Counter()
    continuations: Counter[str] = Counter()
    failed = 0
    for entry in entries:
        name = route(entry)
        routes[name] += 1
        if continued(entry):
            continuations[name] += 1
        if entry.status is None or entry.status >= 400 or entry.fault:
            failed += 1
    return {
        "total": len(entries),
        "routes": dict(routes),
        "continuations": dict(continuations),
        "failed": failed,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


Summarize = Callable[[list[Any]], dict[str, Any]]


def command_loop(
    ready: dict[str, Any],
    reset: Callable[[], None],
    entries: Callable[[], list[Any]],
    summarize: Summarize,
    change: Callable[[int], list[str]] | None = None,
) -> None:
    """Write ``ready``, then answer the commands on stdin until ``quit`` (or its end)."""
    _answer({**ready, "rss_mb": _rss_mb()})
    cpu_mark, wall_mark = _cpu(), time.perf_counter()
    for line in sys.stdin:
        command = json.loads(line)
        name = command.get("cmd")
        if name == "reset":
            reset()
            cpu_mark, wall_mark = _cpu(), time.perf_counter()
            _answer({"ok": True})
        elif name == "summary":
            summary = summarize(entries())
            summary["cpu_seconds"] = _cpu() - cpu_mark
            summary["wall_seconds"] = time.perf_counter() - wall_mark
            summary["rss_mb"] = _rss_mb()
            _answer(summary)
        elif name == "change" and change is not None:
            began = time.perf_counter()
            keys = change(int(command["count"]))
            _answer({"changed": keys, "seconds": time.perf_counter() - began})
        elif name == "quit":
            _answer({"ok": True})
            return
        else:
            _answer({"error": f"unknown command {name!r}"})


def serve(issues: int, latency: float) -> None:
    started = time.perf_counter()
    state = build_dataset(ANCHOR, extra_issues=issues)
    build_seconds = time.perf_counter() - started
    with SandboxServer(state) as server:
        server.latency = latency
        ready = {
            "url": server.url,
            "issues": issues,
            "latency": latency,
            "build_seconds": build_seconds,
            "histories": sum(len(i.histories) for i in state.by_project.get(PROJECT, [])),
        }
        command_loop(
            ready,
            server.reset_log,
            server.log.entries,
            summarize,
            lambda count: change_issues(state, count),
        )


def host_main(
    argv: list[str] | None, prog: str, doc: str | None, serve: Callable[[int, float], None]
) -> int:
    """``prog --issues N [--latency S]``: ``serve(issues, latency)``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--issues", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    serve(args.issues, args.latency)
    return 0


def main(argv: list[str] | None = None) -> int:
    return host_main(argv, "python -m bench.host", __doc__, serve)


if __name__ == "__main__":
    raise SystemExit(main())
