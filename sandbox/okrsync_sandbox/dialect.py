"""Which REST API a request meets: Cloud's, or Data Center's (``state.deployment``).

One site, two dialects. Data Center mode differs where Jira Data Center 9 does:

- REST v2 only: every ``/rest/api/3`` path answers 404, as does
  ``/issue/{key}/changelog`` (Data Center has no paged changelog; ``expand=changelog``
  returns every history instead) and the Cloud-only bulk endpoints.
- ``/rest/api/2/search`` pages with ``startAt``/``total`` (see ``api_search_dc``).
- Stories point to their epic through Epic Link (``customfield_10014`` holds the epic's
  key); only subtasks have a ``parent``. Users have a ``name`` and ``key`` rather than
  an ``accountId``; the Sprint field holds Data Center's ``Sprint@...[id=..]`` strings;
  changelog items carry no ``fieldId``.
- Basic auth takes a username (not an email); Personal Access Tokens come as Bearer;
  rate limiting, when on, is a token bucket (``ratelimit``).

REST v2 on either deployment shows rich text (descriptions, comments) as strings.

Either deployment may also lack some APIs (``state.absent_apis``), as older sites and
partial reimplementations of Jira's API do. An entry naming a method as well
(``POST /rest/api/2/search``) refuses only that method, with 405, as older servers and
some proxies in front of Jira refuse a POST search while serving the GET.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from okrsync_sandbox.model import Sprint
from okrsync_sandbox.state import SandboxState

_CHANGELOG = re.compile(r"^/rest/api/\d+/issue/[^/]+/changelog/?$")

BUILD_CLOUD: dict[str, Any] = {
    "version": "1001.0.0-SNAPSHOT",
    "versionNumbers": [1001, 0, 0],
    "buildNumber": 100300,
}
BUILD_DATA_CENTER: dict[str, Any] = {
    "version": "9.12.15",
    "versionNumbers": [9, 12, 15],
    "buildNumber": 9120015,
}


def serves(state: SandboxState, path: str) -> bool:
    """Whether the site's deployment has an API at ``path`` at all."""
    paths = [api for api in tuple(state.absent_apis) if " " not in api]
    if any(_absent_pattern(api).match(path) for api in paths):
        return False
    if state.is_cloud:
        return True
    if path.startswith("/rest/api/3/"):
        return False
    return _CHANGELOG.match(path) is None


def refuses(state: SandboxState, method: str, path: str) -> bool:
    """Whether the site refuses ``method`` at ``path`` (an ``absent_apis`` entry such as
    ``POST /rest/api/2/search``): 405, the path's other methods still served."""
    for api in tuple(state.absent_apis):
        verb, _, where = api.partition(" ")
        if where and verb.upper() == method.upper() and _absent_pattern(where).match(path):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _absent_pattern(api: str) -> re.Pattern[str]:
    """What an ``absent_apis`` entry covers: the path, each ``{name}`` one segment, and
    every path below it."""
    parts = re.split(r"\{[^/{}]*\}", api.rstrip("/"))
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + "(?:/.*)?$")


def api_version(state: SandboxState, path_params: Mapping[str, Any]) -> int:
    """The REST version a request speaks: its path's, else the deployment's own."""
    version = path_params.get("v")
    if version is not None:
        return int(version)
    return 3 if state.is_cloud else 2


def sprint_text(sprint: Sprint) -> str:
    """A sprint as Data Center's REST v2 shows the Sprint field: GreenHopper's toString."""

    def moment(value: Any) -> str:
        if value is None:
            return "<null>"
        return str(value.strftime("%Y-%m-%dT%H:%M:%S.000Z"))

    parts = [
        f"id={sprint.id}",
        f"rapidViewId={sprint.board_id}",
        f"state={sprint.state.upper()}",
        f"name={sprint.name}",
        f"startDate={moment(sprint.start)}",
        f"endDate={moment(sprint.end)}",
        f"completeDate={moment(sprint.complete)}",
        f"activatedDate={moment(sprint.start)}",
        f"sequence={sprint.id}",
        f"goal={sprint.goal or '<null>'}",
        "autoStartStop=false",
        "synced=false",
    ]
    identity = (sprint.id * 2654435761) % 2**32
    return f"com.atlassian.greenhopper.service.sprint.Sprint@{identity:x}[{','.join(parts)}]"
