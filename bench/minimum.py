"""The fewest requests Jira Cloud's API allows for a pull (see the design notes), by route.

For N issues: ``ceil(N/5000)`` sequential id pages, ``ceil(N/100)`` bulk fetches and
``ceil(N/1000)`` changelog fetches, plus a small constant: the field catalog (fields
and statuses) and one board lookup for the project's sprints (BULK has no scrum board,
so there are no sprint pages to read).

An incremental pull after K issues changed pages through the members' ids again (to
notice issues that left the query), searches once for the changed ones, and fetches
only those K.
"""

from __future__ import annotations

import math

SEARCH = "POST /rest/api/3/search/jql"
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


def incremental_pull(issues: int, changed: int) -> dict[str, int]:
    return {
        SEARCH: _pages(issues, ID_PAGE) + _pages(changed, ID_PAGE),
        BULK_FETCH: math.ceil(changed / ISSUES_PER_FETCH),
        CHANGELOGS: math.ceil(changed / ISSUES_PER_CHANGELOG),
        **_CONSTANT,
    }
