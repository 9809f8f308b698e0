"""A local Jira Cloud-compatible server with a seeded site, for tests and ``okrsync demo``.

from okrsync_sandbox import SandboxServer

with SandboxServer() as jira:          # 127.0.0.1, a free port
    jira.url, jira.auth                 # base URL, (email, api token)
    jira.state.transition("SHOP-113", "In Progress")
    jira.faults.rate_limit("/rest/api/3/search/jql", times=2, retry_after=0)
    jira.log.count("POST", "/rest/api/3/issue/bulkfetch")
"""

from okrsync_sandbox.app import create_app
from okrsync_sandbox.dataset import ANA_EMAIL, ANA_TOKEN, API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.faults import FaultRule, Faults
from okrsync_sandbox.requestlog import LoggedRequest, RequestLog
from okrsync_sandbox.server import SandboxServer
from okrsync_sandbox.state import SandboxState

__all__ = [
    "ANA_EMAIL",
    "ANA_TOKEN",
    "API_TOKEN",
    "BOT_EMAIL",
    "PAT",
    "FaultRule",
    "Faults",
    "LoggedRequest",
    "RequestLog",
    "SandboxServer",
    "SandboxState",
    "build_dataset",
    "create_app",
]
