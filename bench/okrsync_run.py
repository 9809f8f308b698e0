"""``python -m bench.okrsync_run --url URL --db FILE --out FILE``: okrsync's pull.

The code ``okrsync pull`` runs for one Jira query: the run lock and the run record,
``JiraConnector`` with its default settings, and ``pull_queries`` storing every batch in
the SQLite file. Run it twice on the same file for a full then an incremental pull.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

# httpx imports its transport (httpcore, h11, anyio) when the first client is made.
# Imported here, with the rest of okrsync, it stays out of the pull's time, which
# excludes start-up as the jira script's does (requests and urllib3 come with jira).
import httpcore  # noqa: F401
from okrsync_jira import JiraConnector

from bench.changes import QUERY
from bench.contender import credentials, write_result
from okrsync.connector import Connector
from okrsync.pull import PullReport, QuerySpec, SweepLog, pull_queries
from okrsync.runs import RunRecorder
from okrsync.store import Store

SOURCE = "jira"


class _Timeline:
    """When the pull reached its stages, in seconds from its start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}

    def mark(self, stage: str) -> None:
        self.marks[stage] = time.perf_counter() - self.start

    def batch_stored(self, source: str, query: str, items: int) -> None:
        self.marks.setdefault("first batch stored", time.perf_counter() - self.start)
        self.mark("last batch stored")


def jira_connector(url: str) -> Connector:
    email, token = credentials()
    return JiraConnector(SOURCE, {"type": "jira", "url": url, "email": email, "token": token})


async def _pull(
    store: Store, connector: Connector, source: str, query: str, timeline: _Timeline
) -> PullReport:
    async with connector:
        specs = [QuerySpec(source, query)]
        return await pull_queries(specs, store, lambda _: connector, timeline.batch_stored)


def pull(
    url: str,
    database: str,
    query: str,
    connect: Callable[[str], Connector] = jira_connector,
    source: str = SOURCE,
) -> dict[str, Any]:
    """One pull of ``query`` into the SQLite file ``database``, with the connector
    ``connect(url)`` makes; what it did and what the store holds after it."""
    timeline, cpu = _Timeline(), time.process_time()
    store = Store.open(f"sqlite:///{database}")
    try:
        with store.run_lock(), RunRecorder(store, "pull", None) as run:
            timeline.mark("store open")
            report = asyncio.run(_pull(store, connect(url), source, query, timeline))
            timeline.mark("pull done")
            run.pulled = report.as_dict()
    finally:
        store.close()
    timeline.mark("store closed")
    cpu = time.process_time() - cpu
    with sqlite3.connect(database) as db:
        items = db.execute("select count(*) from items").fetchone()[0]
        changes = db.execute("select count(*) from changes").fetchone()[0]
    return {
        "seconds": timeline.marks["store closed"],
        "cpu_seconds": cpu,
        "stages": timeline.marks,
        "fetched": report.fetched,
        "members": sum(q.members for q in report.queries),
        "client_requests": report.requests,
        "stored_items": items,
        "stored_changes": changes,
        # Whether the store records when the members were last listed, which lets an
        # incremental pull trust the approximate count instead of listing them again.
        "remembers_listing": isinstance(store, SweepLog),
    }


def contender_main(
    argv: list[str] | None,
    prog: str,
    doc: str | None,
    run: Callable[[str, str, str], dict[str, Any]],
    query: str,
) -> int:
    """``prog --url URL --out FILE --db FILE [--query Q]``: ``run(url, db, query)``'s
    result written to FILE."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--db", required=True, help="the SQLite state file")
    parser.add_argument("--query", default=query)
    args = parser.parse_args(argv)
    write_result(args.out, run(args.url, args.db, args.query))
    return 0


def main(argv: list[str] | None = None) -> int:
    return contender_main(argv, "python -m bench.okrsync_run", __doc__, pull, QUERY)


if __name__ == "__main__":
    raise SystemExit(main())
