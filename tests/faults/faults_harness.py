"""The fault and crash tests' harness: the Jira sandbox on loopback with a running
clock, a folder with its own okrsync.yaml, the CLI run in this process or in a process
of its own (so that it can be killed), and what the store pulled, read back for
comparison with a clean run.

The seeded site's "present" is an hour after its last activity (2027-02-16 16:00 UTC,
see DATASET.md); this process travels there with the clock ticking, and a process of
its own starts at the sandbox's current instant (``okrsync_at.py``), so that okrsync
and the sandbox agree on "now".
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import time_machine
from okrsync_sandbox import API_TOKEN, FIXED_ANCHOR, LoggedRequest, SandboxServer, build_dataset
from okrsync_sandbox.state import Deployment
from typer.testing import CliRunner

from okrsync.cli import app
from okrsync.demo import sandbox_present, start_clock_at

ANCHOR = FIXED_ANCHOR
TOKEN_VAR = "FAULTS_JIRA_TOKEN"
LAUNCHER = Path(__file__).with_name("okrsync_at.py")

SEARCH = "/rest/api/3/search/jql"
ISSUE_BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG_BULKFETCH = "/rest/api/3/changelog/bulkfetch"
CREATE = "/rest/api/3/issue"

# Three KRs on two queries; they push a field, a comment and a property to OKR-12, a
# field to OKR-9, and create OKR-13 (the next OKR key) with a field and a comment.
MAPPING = (Path(__file__).parents[1] / "data" / "push_three_krs.yaml").read_text()
KR_FIELD = "customfield_10100"  # KR Progress
CREATED_LABEL = "okrsync-kr-one-click-done"
# What a first apply of MAPPING writes, in order (OKR-13 is the issue it creates).
FIRST_WRITES = [
    ("PUT", "/rest/api/3/issue/OKR-12"),
    ("POST", "/rest/api/3/issue/OKR-12/comment"),
    ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync"),
    ("PUT", "/rest/api/3/issue/OKR-9"),
    ("POST", CREATE),
    ("PUT", "/rest/api/3/issue/OKR-13"),
    ("POST", "/rest/api/3/issue/OKR-13/comment"),
]

# The tables a pull fills, without the columns that say when a row was written.
PULLED_TABLES = {
    "items": (),
    "changes": (),
    "sprints": (),
    "query_members": (),
    "cursors": ("updated_at",),
}


@contextmanager
def sandbox_site(deployment: Deployment = "Cloud") -> Iterator[SandboxServer]:
    """A fresh seeded site; this process's clock runs on from the site's present."""
    state = build_dataset(ANCHOR)
    present = sandbox_present(state)
    with time_machine.travel(present, tick=True):
        start_clock_at(state, present)
        with SandboxServer(state, deployment=deployment) as jira:
            yield jira


@dataclass
class Outcome:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return (
            f"okrsync {' '.join(self.args)} -> exit {self.exit_code}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


class Workspace:
    """A folder with its own okrsync.yaml and SQLite store, pointing at a sandbox."""

    def __init__(self, folder: Path, jira: SandboxServer, *, mapping: str = MAPPING) -> None:
        self.folder = folder
        self.jira = jira
        self.config = folder / "okrsync.yaml"
        self.db = folder / "okrsync.db"
        self.processes: list[Process] = []
        mappings = folder / "mappings"
        mappings.mkdir(exist_ok=True)
        (mappings / "checkout.yaml").write_text(mapping)
        self.settings()

    def settings(self, extra: str = "") -> None:
        """(Re)write the config; ``extra`` adds lines to the jira connector's settings."""
        login, _ = self.jira.auth  # Cloud: the email; Data Center: the user name
        self.config.write_text(
            f"database: sqlite:///{self.db}\n"
            f"mappings: [{self.folder / 'mappings'}]\n"
            "timezone: Europe/Berlin\n"
            "connectors:\n"
            "  jira:\n"
            "    type: jira\n"
            f"    url: {self.jira.url}\n"
            + (f"    email: {login}\n" if self.jira.state.is_cloud else f"    username: {login}\n")
            + f"    token: ${{{TOKEN_VAR}}}\n"
            + extra
        )

    def run(self, *args: str) -> Outcome:
        """``okrsync --config okrsync.yaml ARGS`` in this process."""
        result = CliRunner().invoke(
            app, ["--config", str(self.config), *args], env={TOKEN_VAR: API_TOKEN}
        )
        outcome = Outcome(args, result.exit_code, result.stdout, result.stderr)
        assert API_TOKEN not in outcome.stdout + outcome.stderr, outcome
        return outcome

    def spawn(self, *args: str, name: str = "run") -> Process:
        """The same in a process of its own, started at the sandbox's present."""
        now = self.jira.state.now().isoformat()
        command = [sys.executable, str(LAUNCHER), now, "--config", str(self.config), *args]
        process = Process(command, self.folder, name)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        """Kill what this workspace started and left running (a test that failed)."""
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait()

    def pulled(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything the pulls stored, table by table, in a stable order.

        A change's ``seq`` is its place in the batch it came with, which differs between
        a full and an incremental pull; what counts is the order it gives the changes of
        one item, so it is replaced by the change's place in its item's history."""
        found: dict[str, list[tuple[Any, ...]]] = {}
        with closing(sqlite3.connect(self.db)) as connection:
            for table, volatile in PULLED_TABLES.items():
                info = connection.execute(f"PRAGMA table_info({table})").fetchall()
                columns = [row[1] for row in info if row[1] not in volatile]
                if table == "changes":
                    columns = [
                        "row_number() OVER (PARTITION BY source, key ORDER BY at, seq)"
                        if name == "seq"
                        else name
                        for name in columns
                    ]
                rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table}")
                found[table] = sorted(rows.fetchall(), key=repr)
        return found

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.db)) as connection:
            return connection.execute(statement, params).fetchall()

    def runs(self) -> list[tuple[str, str]]:
        """(command, status) of every recorded run, oldest first."""
        return [(c, s) for c, s in self.sql("SELECT command, status FROM runs ORDER BY id")]


class Process:
    """okrsync in a process of its own; its output goes to files (a pipe could fill)."""

    def __init__(self, command: list[str], folder: Path, name: str) -> None:
        self.args = command[3:]  # after python, the launcher and the instant
        self.out = folder / f"{name}.out"
        self.err = folder / f"{name}.err"
        environment = {**os.environ, TOKEN_VAR: API_TOKEN, "COLUMNS": "160"}
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.popen = subprocess.Popen(
                command, stdout=out, stderr=err, env=environment, cwd=folder
            )

    def kill_when(self, happened: Callable[[], bool], timeout: float = 30.0) -> None:
        """SIGKILL the process as soon as ``happened()``; it must still be running."""
        deadline = time.monotonic() + timeout
        while not happened():
            if self.popen.poll() is not None:
                raise AssertionError(f"okrsync ended before the kill point:\n{self.outcome()}")
            if time.monotonic() > deadline:
                self.popen.kill()
                raise AssertionError(f"the kill point never came:\n{self.outcome()}")
            time.sleep(0.001)
        self.popen.send_signal(signal.SIGKILL)
        assert self.popen.wait(timeout) == -signal.SIGKILL, self.outcome()

    def wait(self, timeout: float = 60.0) -> Outcome:
        self.popen.wait(timeout)
        return self.outcome()

    def outcome(self) -> Outcome:
        code = self.popen.poll()
        outcome = Outcome(
            tuple(self.args),
            -1 if code is None else code,
            self.out.read_text(errors="replace"),
            self.err.read_text(errors="replace"),
        )
        assert API_TOKEN not in outcome.stdout + outcome.stderr, outcome
        return outcome


class Waits:
    """Stands in for okrsync.http.sleep/monotonic: a wait is recorded and passes at
    once. The clock moves by the waits only, so what the HTTP layer waits for is exact,
    and a sandbox that counts on this clock (rate limits) sees what okrsync sees."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.now = 1000.0

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)

    def monotonic(self) -> float:
        return self.now


# --- reading the sandbox's logs -------------------------------------------------------------


def answered(entry: LoggedRequest) -> bool:
    """The site carried the request out and the client got its answer."""
    return entry.fault is None and carried_out(entry)


def carried_out(entry: LoggedRequest) -> bool:
    """The site carried the request out, whether or not the client got the answer."""
    acted = entry.fault in (None, "cut", "stall")
    return acted and entry.status is not None and entry.status < 400


def has_answered(jira: SandboxServer, method: str, path: str) -> Callable[[], bool]:
    return lambda: any(answered(e) for e in jira.log.entries(method, path) if e.path == path)


def has_carried_out(jira: SandboxServer, method: str, path: str) -> Callable[[], bool]:
    return lambda: any(carried_out(e) for e in jira.log.entries(method, path) if e.path == path)


def writes_carried_out(jira: SandboxServer) -> list[tuple[str, str]]:
    """(method, path) of every write the site carried out, in order."""
    return [(e.method, e.path) for e in jira.writes if carried_out(e)]


def requests_by_path(jira: SandboxServer) -> Counter[tuple[str, str]]:
    return Counter((e.method, e.path) for e in jira.log)


def okrsync_comments(jira: SandboxServer, key: str) -> list[Any]:
    return [c for c in jira.state.get(key).comments if "okrsync" in str(c.body)]


def created_issues(jira: SandboxServer) -> list[str]:
    return [issue.key for issue in jira.state.issues if CREATED_LABEL in issue.labels]


def assert_pushed(jira: SandboxServer) -> None:
    """Jira holds the results of MAPPING, each once: parent = SHOP-100 has 9 items, 7
    of them done; SHOP holds 17 issues."""
    state = jira.state
    assert state.get("OKR-12").custom[KR_FIELD] == 77.8  # 7/9 as a percent, one decimal
    assert state.get("OKR-9").custom[KR_FIELD] == 17.0
    assert state.get("OKR-12").properties["okrsync"]["value"] == 700 / 9
    assert created_issues(jira) == ["OKR-13"]
    assert state.get("OKR-13").custom[KR_FIELD] == 70.0  # 7 of 10
    assert len(okrsync_comments(jira, "OKR-12")) == 1
    assert len(okrsync_comments(jira, "OKR-13")) == 1
