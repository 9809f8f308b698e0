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
from typing import Any

from okrsync_jira import JiraConnector

from bench.changes import QUERY
from bench.contender import credentials, write_result
from okrsync.pull import PullReport, QuerySpec, pull_queries
from okrsync.runs import RunRecorder
from okrsync.store import Store

SOURCE = "jira"


async def _pull(store: Store, url: str, query: str) -> PullReport:
    email, token = credentials()
    settings = {"type": "jira", "url": url, "email": email, "token": token}
    async with JiraConnector(SOURCE, settings) as connector:
        return await pull_queries([QuerySpec(SOURCE, query)], store, lambda _: connector)


def pull(url: str, database: str, query: str) -> dict[str, Any]:
    started = time.perf_counter()
    store = Store.open(f"sqlite:///{database}")
    try:
        with store.run_lock(), RunRecorder(store, "pull", None) as run:
            report = asyncio.run(_pull(store, url, query))
            run.pulled = report.as_dict()
    finally:
        store.close()
    seconds = time.perf_counter() - started
    with sqlite3.connect(database) as db:
        items = db.execute("select count(*) from items").fetchone()[0]
        changes = db.execute("select count(*) from changes").fetchone()[0]
    return {
        "seconds": seconds,
        "fetched": report.fetched,
        "members": sum(q.members for q in report.queries),
        "client_requests": report.requests,
        "stored_items": items,
        "stored_changes": changes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.okrsync_run", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--db", required=True, help="the SQLite state file")
    parser.add_argument("--query", default=QUERY)
    args = parser.parse_args(argv)
    write_result(args.out, pull(args.url, args.db, args.query))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
