"""``python -m bench.jira_script --url URL --fields F,G --out FILE``: the script a user
would write with the pycontribs ``jira`` library instead of okrsync.

It searches for every issue of the query with the fields okrsync reads
(``search_issues(..., maxResults=False, fields=...)``: the library fetches every page,
100 issues each), then reads each issue's change history with
``jira.issue(key, fields="status", expand="changelog")``, paging through
``/issue/{key}/changelog`` when Jira truncated the inline changelog. The library has no
bulk issue or changelog fetch, so that is one request per issue.

``--sample K`` reads the changelogs of the first K issues only; the benchmark scales
that phase up to all issues (its requests and time are proportional to the issues).
``--since-ms T`` restricts the query to issues updated after T, which is how such a
script does an incremental run. Results stay in memory: nothing is written anywhere,
which spares the script the cost okrsync pays for its store.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import Any

from jira import JIRA

from bench.changes import QUERY
from bench.contender import credentials, write_result

CHANGELOG_PAGE = 100


def read_changelog(jira: JIRA, key: str) -> list[dict[str, Any]]:
    """Every history of one issue, oldest first."""
    issue = jira.issue(key, fields="status", expand="changelog")
    changelog = issue.raw.get("changelog") or {}
    histories: list[dict[str, Any]] = list(changelog.get("histories") or [])
    if int(changelog.get("total") or 0) <= len(histories):
        return sorted(histories, key=lambda h: str(h.get("created")))
    # Cloud inlines only the latest 40: read the whole changelog page by page.
    histories, start = [], 0
    while True:
        page = jira._get_json(
            f"issue/{key}/changelog", params={"startAt": start, "maxResults": CHANGELOG_PAGE}
        )
        histories += page.get("values") or []
        start += len(page.get("values") or [])
        if page.get("isLast", True) or not page.get("values"):
            return histories


def _epoch_ms(jira_time: str) -> int:
    return int(datetime.strptime(jira_time, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def run(url: str, jql: str, fields: list[str], sample: int | None) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    email, token = credentials()
    # Cloud sites answer both API versions; the sandbox only serves v3.
    jira = JIRA(server=url, basic_auth=(email, token), options={"rest_api_version": "3"})
    connected = time.perf_counter()

    issues = jira.search_issues(jql, maxResults=False, fields=",".join(fields))
    searched = time.perf_counter()

    chosen = issues if sample is None else issues[:sample]
    histories = {issue.key: read_changelog(jira, issue.key) for issue in chosen}
    finished, cpu = time.perf_counter(), time.process_time() - cpu
    jira.close()

    updated = [_epoch_ms(issue.raw["fields"]["updated"]) for issue in issues]
    return {
        "seconds": finished - started,
        "cpu_seconds": cpu,
        "connect_seconds": connected - started,
        "search_seconds": searched - connected,
        "changelog_seconds": finished - searched,
        "issues": len(issues),
        "changelogs_read": len(histories),
        "histories": sum(len(h) for h in histories.values()),
        "max_updated_ms": max(updated, default=0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.jira_script", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fields", required=True, help="comma-separated field ids")
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--since-ms", type=int, default=None)
    args = parser.parse_args(argv)
    jql = args.query if args.since_ms is None else f"({args.query}) AND updated > {args.since_ms}"
    result = run(args.url, jql, args.fields.split(","), args.sample)
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
