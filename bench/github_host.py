"""``python -m bench.github_host --issues N --latency S``: the GitHub sandbox in a
process of its own, with N issues with history in ``acme/load``
(``okrsync_github_sandbox.add_load_issues``), driven as ``bench.host`` drives Jira's:
``{"cmd": "reset"}``, ``{"cmd": "summary"}``, ``{"cmd": "quit"}`` on stdin.

The first line written says where it serves, how long the build took, and the truth
the contenders are checked against: how many issues are done (closed as completed, not
reopened since) and how many timeline events there are.

The primary rate limit is lifted: at 5,000 requests an hour, a script reading one
timeline per issue would wait for the hour's reset after 5,000 issues (the report says
what that would cost). GraphQL's schema is built before serving, so that neither
contender pays for the sandbox's start-up.
"""

from __future__ import annotations

import re
import time
from typing import Any

from okrsync_github_sandbox import FIXED_ANCHOR, LOAD_REPO, GitHubSandbox, add_load_issues
from okrsync_github_sandbox import build_dataset as build_github
from okrsync_github_sandbox.graphql_api import schema
from okrsync_github_sandbox.state import GitHubState

from bench.host import command_loop, host_main, summarize

_OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)")
_REPO_PATH = re.compile(r"^/repos/[^/]+/[^/]+")
_NUMBER = re.compile(r"/issues/\d+")
UNLIMITED = 10**9


def github_route(entry: Any) -> str:
    """``GET /repos/{owner}/{repo}/issues/{number}/timeline``, or ``POST /graphql
    Items`` (GraphQL requests by operation name)."""
    if entry.path.endswith("/graphql"):
        body = entry.body if isinstance(entry.body, dict) else {}
        found = _OPERATION.match(str(body.get("query", "")))
        return f"POST /graphql {found.group(2) if found else '(anonymous)'}"
    path = _REPO_PATH.sub("/repos/{owner}/{repo}", entry.path)
    return f"{entry.method} {_NUMBER.sub('/issues/{number}', path)}"


def later_page(entry: Any) -> bool:
    """A REST list or search request for a page after the first."""
    return entry.params.get("page", "1") not in ("", "1")


def truth(state: GitHubState, repo: str = LOAD_REPO) -> dict[str, int]:
    issues = [i for i in state.issues.values() if i.repo == repo]
    done = [i for i in issues if i.state == "CLOSED" and i.state_reason == "COMPLETED"]
    return {
        "done": len(done),
        "events": sum(len(i.events) for i in issues),
        "with_parent_events": sum(
            any(e.kind.startswith("parent") for e in i.events) for i in issues
        ),
        "reopened": sum(any(e.kind == "reopened" for e in i.events) for i in issues),
    }


def build(issues: int) -> GitHubState:
    state = build_github(FIXED_ANCHOR)
    add_load_issues(state, issues)
    state.budget.limit = state.budget.remaining = UNLIMITED
    return state


def serve(issues: int, latency: float) -> None:
    started = time.perf_counter()
    state = build(issues)
    build_seconds = time.perf_counter() - started
    schema()
    with GitHubSandbox(state) as github:
        state.latency = latency
        ready = {
            "url": github.url,
            "issues": issues,
            "latency": latency,
            "build_seconds": build_seconds,
            "truth": truth(state),
        }
        command_loop(
            ready,
            state.log.clear,
            state.log.entries,
            lambda entries: summarize(entries, github_route, later_page),
        )


def main(argv: list[str] | None = None) -> int:
    return host_main(argv, "python -m bench.github_host", __doc__, serve)


if __name__ == "__main__":
    raise SystemExit(main())
