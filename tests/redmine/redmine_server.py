"""A real Redmine for the tests: Debian's ``redmine`` package on SQLite, served by thin
on a free loopback port.

Debian's Redmine is multi-tenant: ``REDMINE_INSTANCE`` names a folder under
``/usr/share/redmine/instances`` holding the instance's ``config/database.yml``,
``secret_key.txt``, ``tmp``, ``log`` and ``files``. A relative name that climbs out of
that folder puts an instance anywhere, so every test session builds one in a temp dir
and leaves the system's own instance alone.

Building one (``db:migrate``, Redmine's default data, ``seed.rb``) takes about 25 s, so
it is done once per session as a template; each test module serves a copy of the
template's database, and is free to write to it.

The seeded data (``seed.rb``), in UTC, with the ids a fresh database gives:

- statuses (Redmine's defaults): New 1, In Progress 2, Resolved 3, Feedback 4 (open);
  Closed 5, Rejected 6 (closed). Trackers: Bug 1, Feature 2, Support 3, Story 4,
  Key Result 5, each starting in New. Float custom fields: Story points (cf_1), KR
  Progress (cf_2).
- project ``shop``: versions Sprint 1 (id 1, due 2026-07-14, closed), Sprint 2 (2, due
  2026-07-28, closed), Sprint 3 (3, due 2026-08-11, open), and issues
  - #1 Story, created 07-01 10:00, 3 points, Sprint 1; In Progress 07-03 09:00, Closed
    07-10 16:00.
  - #2 Story, created 07-01 11:00, 5 points, Sprint 1; In Progress 07-08 09:00; moved
    to Sprint 2 07-13 12:00; 8 points 07-20 10:00; Resolved 07-25 10:00; Closed
    08-01 10:00.
  - #3 Bug, created 07-02 09:00, no points, Sprint 2; Rejected 07-15 12:00.
  - #4 Feature, created 07-05 09:00, 1 point; Feedback 07-06 09:00.
  - #5 Story, created 07-20 09:00, 2 points; child of #4 since 07-22 10:00; New.
- project ``okr``: #6 Key Result "KR: checkout stories done", created 07-01 08:00, New.
- the user ``okr-bot`` (a Manager of both projects, not an admin) with ``API_KEY``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

REDMINE_ROOT = Path("/usr/share/redmine")
API_KEY = "5ee0c0de5ee0c0de5ee0c0de5ee0c0de5ee0c0de"
SEED_SCRIPT = Path(__file__).with_name("seed.rb")
DATABASE = "redmine.sqlite3"
# What seed.rb made, by name (ids of a fresh database, see the module's docstring).
STORY_TRACKER = 4
KR_ISSUE = 6
STARTUP_SECONDS = 90


def missing_redmine() -> str | None:
    """Why no Redmine can be started here, or None."""
    if not (REDMINE_ROOT / "bin" / "rails").exists():
        return "Debian's redmine is not installed (apt-get install redmine redmine-sqlite thin)"
    if shutil.which("thin") is None:
        return "thin is not installed (apt-get install thin)"
    return None


def require_redmine() -> None:
    """Skip without Redmine on a developer's machine; in CI, fail."""
    problem = missing_redmine()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: the Redmine tests must run)")
    pytest.skip(f"{problem}; set CI=true to make this a failure")


def _instance(folder: Path, database: Path) -> dict[str, str]:
    """An instance folder for ``database``, and the environment that selects it."""
    for part in ("config", "tmp", "log", "files"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    # A minute's busy timeout: on a loaded machine Redmine's own background threads can
    # hold SQLite's write lock for longer than the usual 5 s ("database is locked").
    (folder / "config" / "database.yml").write_text(
        f"production:\n  adapter: sqlite3\n  database: {database}\n  timeout: 60000\n"
    )
    (folder / "config" / "secret_key.txt").write_text(os.urandom(32).hex())
    name = os.path.relpath(folder.resolve(), REDMINE_ROOT / "instances")
    return {**os.environ, "REDMINE_INSTANCE": name, "RAILS_ENV": "production"}


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(
            args, cwd=REDMINE_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed (exit {done.returncode}):\n{_failure(log)}")


def _failure(log: Path) -> str:
    """What a failed Rails command said: its exception's own lines (a Ruby backtrace
    puts the message first, then dozens of frames) and the log's tail."""
    lines = log.read_text(errors="replace").splitlines()
    raised = [line for line in lines if "Error" in line or "Exception" in line][:5]
    return "\n".join([*raised, "...", *lines[-15:]])[-4000:]


def build_template(folder: Path) -> Path:
    """A migrated, seeded Redmine database in ``folder``; returns its path."""
    database = folder / DATABASE
    env = _instance(folder / "instance", database)
    log = folder / "build.log"
    env["REDMINE_LANG"] = "en"
    # Two runs: loading the default data in the migrating process would use the
    # models' column lists from before the migrations.
    _run(["bin/rake", "db:migrate"], env, log)
    _run(["bin/rake", "redmine:load_default_data"], env, log)
    env["OKRSYNC_REDMINE_KEY"] = API_KEY
    _run(["bin/rails", "runner", str(SEED_SCRIPT)], env, log)
    return database


def seeded_copy(template: Path, folder: Path, script: Path) -> Path:
    """A copy of ``template`` in ``folder`` with ``script`` (a ``rails runner`` seed)
    run over it; returns the new database, to serve with ``redmine_server``."""
    database = folder / DATABASE
    shutil.copyfile(template, database)
    env = _instance(folder / "instance", database)
    _run(["bin/rails", "runner", str(script)], env, folder / "seed.log")
    return database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def redmine_server(template: Path, folder: Path) -> Iterator[str]:
    """A Redmine serving a copy of ``template`` from ``folder``; yields its URL."""
    database = folder / DATABASE
    shutil.copyfile(template, database)
    env = _instance(folder / "instance", database)
    port = _free_port()
    log = folder / "thin.log"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [*("thin", "-e", "production", "-a", "127.0.0.1", "-p", str(port)), "start"],
            cwd=REDMINE_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    ends = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < ends:
        if server.poll() is not None:
            raise RuntimeError(f"Redmine exited at startup:\n{log.read_text()[-2000:]}")
        try:
            answer = httpx.get(f"{url}/users/current.json", headers={"X-Redmine-API-Key": API_KEY})
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"Redmine did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-2000:]}"
    )


def redmine_issue(url: str, number: int | str) -> dict[str, Any]:
    """The issue as Redmine's API gives it, with its journals."""
    answer = httpx.get(
        f"{url}/issues/{number}.json",
        params={"include": "journals"},
        headers={"X-Redmine-API-Key": API_KEY},
    )
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()["issue"]
    return data
