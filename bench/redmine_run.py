"""``python -m bench.redmine_run --url URL --db FILE --out FILE``: okrsync's Redmine pull.

What ``okrsync pull`` runs for one Redmine issue filter (``bench.okrsync_run.pull``),
with ``RedmineConnector`` on its default settings but a longer timeout (``TIMEOUT``)
and the API key from the environment; reports how many items are done, read back from the store.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from okrsync_redmine import RedmineConnector

from bench.okrsync_run import contender_main, pull
from okrsync.connector import Connector

SOURCE = "redmine"
QUERY = "project_id=load"
KEY_VARIABLE = "BENCH_REDMINE_KEY"


# thin serves one request at a time, and okrsync asks for the list pages after the first
# together: on a loaded machine the last of them waits longer than the default 30 s.
TIMEOUT = 300


def redmine_connector(url: str) -> Connector:
    settings = {
        "type": "redmine",
        "url": url,
        "token": os.environ[KEY_VARIABLE],
        "timeout": TIMEOUT,
    }
    return RedmineConnector(SOURCE, settings)


def run(url: str, database: str, query: str) -> dict[str, Any]:
    result = pull(url, database, query, redmine_connector, SOURCE)
    with sqlite3.connect(database) as db:
        done = db.execute(
            "select count(*) from items where source = ? and status_category = 'done'", (SOURCE,)
        ).fetchone()[0]
    result["done"] = int(done)
    return result


def main(argv: list[str] | None = None) -> int:
    return contender_main(argv, "python -m bench.redmine_run", __doc__, run, QUERY)


if __name__ == "__main__":
    raise SystemExit(main())
