"""``python -m bench.github_run --url URL --db FILE --out FILE``: okrsync's GitHub pull.

What ``okrsync pull`` runs for one GitHub selection (``bench.okrsync_run.pull``: the
run lock, the run record, ``pull_queries`` into a SQLite file), with ``GitHubConnector``
on its default settings and the organization's project configured (Status, Estimate,
Sprint). Besides the figures of the pull it reports each done issue's done time, read
back from the store, for the correctness check against the PyGithub script.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from okrsync_github import GitHubConnector

from bench.contender import github_token
from bench.okrsync_run import contender_main, pull
from okrsync.connector import Connector

SOURCE = "github"
QUERY = "repo:acme/load"
PROJECT = {"project": "acme/5", "estimate_field": "Estimate", "iteration_field": "Sprint"}


def github_connector(url: str) -> Connector:
    settings = {"type": "github", "url": url, "token": github_token(), **PROJECT}
    return GitHubConnector(SOURCE, settings)


def stamp(moment: datetime) -> str:
    """GitHub's form of an instant, which the script reads from the timeline."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def done_times(database: str) -> dict[str, str]:
    """Done time by issue key (``acme/load#7``) of every done item in the store."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "select key, resolved from items where source = ? and status_category = 'done'",
            (SOURCE,),
        ).fetchall()
    return {
        str(key): stamp(datetime.fromisoformat(str(at)).replace(tzinfo=UTC)) for key, at in rows
    }


def run(url: str, database: str, query: str) -> dict[str, Any]:
    result = pull(url, database, query, github_connector, SOURCE)
    result["done"] = done_times(database)
    return result


def main(argv: list[str] | None = None) -> int:
    return contender_main(argv, "python -m bench.github_run", __doc__, run, QUERY)


if __name__ == "__main__":
    raise SystemExit(main())
