"""A local Jira-compatible server with a seeded site, for tests and ``okrsync demo``.

It speaks Jira Cloud (REST v3) by default, or Jira Data Center (REST v2, Epic Link,
wiki markup, offset-paged search, token-bucket rate limits) with ``deployment="Server"``
(see DATASET.md).

from okrsync_sandbox import SandboxServer

with SandboxServer(anchor=FIXED_ANCHOR) as jira:   # 127.0.0.1, a free port; 2027-Q1
    jira.url, jira.auth                 # base URL, (email, api token)
    jira.state.transition("SHOP-113", "In Progress")
    jira.faults.rate_limit("/rest/api/3/search/jql", times=2, retry_after=0)
    jira.faults.cut("/rest/api/3/issue/OKR-12/comment", method="POST")  # done, unanswered
    jira.state.issue_write_limit = IssueWriteLimit()   # Cloud's per-issue write limits
    jira.log.count("POST", "/rest/api/3/issue/bulkfetch")

with SandboxServer(deployment="Server") as dc:
    dc.pat, dc.auth                     # Bearer token; (user name, password)
    dc.log.entries("POST", "/rest/api/2/search")
"""

from okrsync_sandbox.app import create_app
from okrsync_sandbox.dataset import ANA_EMAIL, ANA_TOKEN, API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.faults import FaultRule, Faults
from okrsync_sandbox.ratelimit import IssueWriteLimit, TokenBucket
from okrsync_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_sandbox.server import SandboxServer
from okrsync_sandbox.state import SandboxState
from okrsync_sandbox.timeline import FIXED_ANCHOR

__all__ = [
    "ANA_EMAIL",
    "ANA_TOKEN",
    "API_TOKEN",
    "BOT_EMAIL",
    "FIXED_ANCHOR",
    "PAT",
    "FaultRule",
    "Faults",
    "IssueWriteLimit",
    "LoggedRequest",
    "RequestLog",
    "SandboxServer",
    "SandboxState",
    "TokenBucket",
    "build_dataset",
    "create_app",
]
