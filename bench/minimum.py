"""The fewest requests Jira Cloud's API allows for a pull (see the design notes), by route.

For N issues: ``ceil(N/5000)`` sequential id pages, ``ceil(N/100)`` bulk fetches and
``ceil(N/1000)`` changelog fetches, plus a small constant: the field catalog (fields
and statuses) and one board lookup for the project's sprints (BULK has no scrum board,
so there are no sprint pages to read).

An incremental pull after K issues changed searches once for the changed ones and
fetches only those K. To notice issues that left the query (or joined it without being
updated) it asks for the query's approximate count, one request: only when the count
disagrees, or the members were last listed too long ago, are their id pages read again
(``listed=True``).
"""

from __future__ import annotations

import math

SEARCH = "POST /rest/api/3/search/jql"
COUNT = "POST /rest/api/3/search/approximate-count"
BULK_FETCH = "POST /rest/api/3/issue/bulkfetch"
CHANGELOGS = "POST /rest/api/3/changelog/bulkfetch"
FIELDS = "GET /rest/api/3/field"
STATUSES = "GET /rest/api/3/status"
BOARDS = "GET /rest/agile/1.0/board"

ID_PAGE = 5000
ISSUES_PER_FETCH = 100
ISSUES_PER_CHANGELOG = 1000
_CONSTANT = {FIELDS: 1, STATUSES: 1, BOARDS: 1}


def _pages(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


def full_pull(issues: int) -> dict[str, int]:
    return {
        SEARCH: _pages(issues, ID_PAGE),
        BULK_FETCH: math.ceil(issues / ISSUES_PER_FETCH),
        CHANGELOGS: math.ceil(issues / ISSUES_PER_CHANGELOG),
        **_CONSTANT,
    }


def incremental_pull(issues: int, changed: int, *, listed: bool = False) -> dict[str, int]:
    members = {SEARCH: _pages(issues, ID_PAGE)} if listed else {COUNT: 1}
    return {
        **members,
        SEARCH: members.get(SEARCH, 0) + _pages(changed, ID_PAGE),
        BULK_FETCH: math.ceil(changed / ISSUES_PER_FETCH),
        CHANGELOGS: math.ceil(changed / ISSUES_PER_CHANGELOG),
        **_CONSTANT,
    }


def fetches(routes: dict[str, int]) -> int:
    """Requests that fetch issues (bulk fetches and changelog pages): the part of an
    incremental pull that grows with the changed issues."""
    return routes.get(BULK_FETCH, 0) + routes.get(CHANGELOGS, 0)
