"""A local GitHub-compatible server (REST v3 and GraphQL) with a seeded organization.

::

    with GitHubSandbox(anchor=FIXED_ANCHOR) as github:   # 127.0.0.1, a free port
        httpx.get(github.url + "/user", headers={"Authorization": f"Bearer {github.token}"})

Seeded: organization ``acme`` with repositories ``shop-app``, ``platform`` and ``okrs``,
issues and a pull request with timelines, and project number 5 with the fields Status,
Estimate, KR Progress and Sprint (two-week iterations from the anchor). See DATASET.md.
``add_load_issues`` adds synthetic issues with history for load (``acme/load``).
Fault switches: ``github.faults``; every request: ``github.log``.
"""

from okrsync_sandbox.timeline import FIXED_ANCHOR

from okrsync_github_sandbox.dataset import BOT, PROJECT_NUMBER, TOKEN, build_dataset
from okrsync_github_sandbox.load import LOAD_REPO, add_load_issues
from okrsync_github_sandbox.server import GitHubSandbox
from okrsync_github_sandbox.state import GitHubState

__all__ = [
    "BOT",
    "FIXED_ANCHOR",
    "LOAD_REPO",
    "PROJECT_NUMBER",
    "TOKEN",
    "GitHubSandbox",
    "GitHubState",
    "add_load_issues",
    "build_dataset",
]
