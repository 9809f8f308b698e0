"""The end-to-end harness: the Jira sandbox on loopback with a running clock, and a
folder with its own ``okrsync.yaml`` in which the real CLI runs in-process.

The sandbox's seeded site is described in sandbox/okrsync_sandbox/DATASET.md; its
"present" is one hour after the last seeded activity (2027-02-16 16:00 UTC). The whole
process travels there, with the clock ticking, so that okrsync's "now" and the
sandbox's agree, and writes made by a test are later than everything seeded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import time_machine
from okrsync_sandbox import (
    API_TOKEN,
    BOT_EMAIL,
    FIXED_ANCHOR,
    LoggedRequest,
    SandboxServer,
    build_dataset,
)
from okrsync_sandbox.state import Deployment
from typer.testing import CliRunner

from okrsync.cli import app
from okrsync.demo import sandbox_present, start_clock_at

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_MAPPINGS = REPO / "mappings"
# The example mappings of the Jira teams (shop-app.yaml needs a GitHub connector too).
JIRA_EXAMPLES = [EXAMPLE_MAPPINGS / n for n in ("checkout.yaml", "company.yaml", "payments.yaml")]
# Every KR of the example mappings in mappings/, in the order the results list them.
EXAMPLE_KR_IDS = [
    "ship-one-click",
    "one-click-committed",
    "median-cycle-time",
    "zero-double-charges",
    "checkout-velocity",
    "payment-sdk-upgraded",
    "shop-throughput",
    "switch-provider",
    "points-delivered",
    "smaller-stories",
    "bugs-fixed-share",
]
ANCHOR = FIXED_ANCHOR
TOKEN_VAR = "E2E_JIRA_TOKEN"
SEARCH = "/rest/api/3/search/jql"
ISSUE_BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG_BULKFETCH = "/rest/api/3/changelog/bulkfetch"


@contextmanager
def sandbox_site(deployment: Deployment = "Cloud", **options: Any) -> Iterator[SandboxServer]:
    """A fresh seeded site; the process's clock runs on from the site's present."""
    state = build_dataset(ANCHOR, **options)
    present = sandbox_present(state)
    with time_machine.travel(present, tick=True):
        start_clock_at(state, present)
        with SandboxServer(state, deployment=deployment) as jira:
            yield jira


@contextmanager
def json_server(document: Any) -> Iterator[str]:
    """A loopback HTTP server answering ``document`` to every GET (a metrics endpoint
    for an ``http_json`` source); yields its URL."""
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output stays readable."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Outcome:
    """What one command did: its exit code and what it printed."""

    args: Sequence[str]
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return (
            f"okrsync {' '.join(self.args)} -> exit {self.exit_code}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


class Workspace:
    """A folder with its own okrsync.yaml (the sandbox's URL, a ``${VAR}`` token) and
    an SQLite store inside it."""

    def __init__(self, folder: Path, url: str, *, mappings: Sequence[Path] = ()) -> None:
        self.folder = folder
        self.url = url
        self.config = folder / "okrsync.yaml"
        self.db = folder / "okrsync.db"
        self.mappings: list[Path] = list(mappings) or list(JIRA_EXAMPLES)
        self.write_config()

    def write_config(
        self,
        *,
        url: str | None = None,
        email: str | None = BOT_EMAIL,
        token: str = f"${{{TOKEN_VAR}}}",
        extra: str = "",
    ) -> Path:
        """Without ``email`` the token is a Data Center personal access token."""
        listed = ", ".join(str(m) for m in self.mappings)
        self.config.write_text(
            f"database: sqlite:///{self.db}\n"
            f"mappings: [{listed}]\n"
            "timezone: Europe/Berlin\n"
            "connectors:\n"
            "  jira:\n"
            "    type: jira\n"
            f"    url: {url or self.url}\n"
            + (f"    email: {email}\n" if email else "")
            + f"    token: {token}\n"
            + extra
        )
        return self.config

    def use_mapping(self, name: str, text: str) -> Path:
        """Make ``text`` the only mapping file."""
        folder = self.folder / "mappings"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(text)
        self.mappings = [folder]
        self.write_config()
        return path

    def run(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        """``okrsync --config okrsync.yaml ARGS``, in this process."""
        return invoke("--config", str(self.config), *args, env=env)

    def run_process(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        """The same in a separate process, as a user or cron runs it."""
        full = [sys.executable, "-m", "okrsync.cli", "--config", str(self.config), *args]
        environment = {**os.environ, TOKEN_VAR: API_TOKEN, "COLUMNS": "160", **(env or {})}
        done = subprocess.run(
            full, capture_output=True, text=True, env=environment, cwd=self.folder, timeout=60
        )
        outcome = Outcome(args, done.returncode, done.stdout, done.stderr)
        assert_no_secret(outcome)
        return outcome

    def report_page(self) -> str:
        """The HTML ``okrsync report`` writes, as of the latest recorded run."""
        path = self.folder / "report.html"
        outcome = self.run("report", "--out", str(path))
        assert outcome.exit_code == 0, outcome
        return path.read_text(encoding="utf-8")

    def stored_bytes(self) -> bytes:
        """Everything the store holds on disk (its journal files included)."""
        return b"".join(path.read_bytes() for path in sorted(self.folder.glob("okrsync.db*")))

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read or change the store directly (to inspect it, or to simulate a crash)."""
        with sqlite3.connect(self.db) as connection:
            rows = connection.execute(statement, params).fetchall()
        connection.close()
        return rows


def invoke(*args: str, env: dict[str, str] | None = None) -> Outcome:
    """``okrsync ARGS`` in this process, with the token variable set."""
    result = CliRunner().invoke(app, list(args), env={TOKEN_VAR: API_TOKEN, **(env or {})})
    outcome = Outcome(args, result.exit_code, result.stdout, result.stderr, result.exception)
    assert_no_secret(outcome)
    return outcome


def assert_no_secret(outcome: Outcome) -> None:
    """Checked on every command any test runs: the token never shows."""
    assert API_TOKEN not in outcome.stdout + outcome.stderr, outcome


def writes_of(jira: SandboxServer) -> list[tuple[str, str]]:
    return [(w.method, w.path) for w in jira.writes]


def successful_writes(jira: SandboxServer) -> list[LoggedRequest]:
    return [w for w in jira.writes if w.status is not None and w.status < 400]


def okrsync_comments(jira: SandboxServer, key: str) -> list[Any]:
    return [c for c in jira.state.get(key).comments if "okrsync" in str(c.body)]
