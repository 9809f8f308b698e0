"""The files ``okrsync init`` writes: a config and the README's first mapping.

``FIRST_MAPPING`` is the README's "Your first mapping" block, character for character
(a test compares them), so what a newcomer reads is what ``init`` writes.
"""

from __future__ import annotations

CONFIG_FILE = "okrsync.yaml"
FIRST_MAPPING_FILE = "mappings/my-team.yaml"
SANDBOX_TOKEN_VARIABLE = "OKRSYNC_SANDBOX_TOKEN"
JIRA_TOKEN_VARIABLE = "JIRA_API_TOKEN"
JIRA_URL_PLACEHOLDER = "https://your-site.atlassian.net"
JIRA_EMAIL_PLACEHOLDER = "okr-bot@your-company.com"

FIRST_MAPPING = """\
version: 1
cycle: this-quarter             # or 2027-Q1, 2027-H1, or {start: 2027-01-06, end: 2027-03-31}
defaults:
  source: jira                  # the connector instance from okrsync.yaml
objectives:
  - id: my-first-objective
    title: Payments never get in the way
    key_results:
      - id: my-first-kr
        title: Finish the payment stories of the quarter
        select:
          query: project = PAY                   # any JQL
          where: {type: story}                   # optional filters
        measure: completion                      # percent of items done
        weight_by: story_points                  # ...weighted by estimate
        push:
          - to: jira
            issue: OKR-6                         # the issue that stands for this KR
            field: KR Progress                   # a number field: gets the progress %
            comment: true                        # one okrsync comment, kept current
"""


def sandbox_config(url: str, email: str) -> str:
    """A config for the bundled sandbox (``python -m okrsync_sandbox``) that syncs only
    the first mapping, into a store of its own."""
    return f"""\
# okrsync.yaml for the bundled Jira sandbox: start it with `python -m okrsync_sandbox`.
database: sqlite:///okrsync-sandbox.db
mappings: [{FIRST_MAPPING_FILE}]
timezone: UTC                   # the sandbox seeds the current quarter in UTC
connectors:
  jira:
    type: jira
    url: {url}
    email: {email}
    token: ${{{SANDBOX_TOKEN_VARIABLE}}}     # export {SANDBOX_TOKEN_VARIABLE}=... (never stored)
"""


def jira_config(url: str, email: str) -> str:
    """A config for a Jira Cloud site (Data Center: the token alone, no ``email``)."""
    return f"""\
database: sqlite:///okrsync.db
mappings: [mappings/]
timezone: UTC                   # for cycle boundaries and display, e.g. Europe/Berlin
connectors:
  jira:
    type: jira
    url: {url}
    email: {email}
    token: ${{{JIRA_TOKEN_VARIABLE}}}            # read from the environment, never stored
"""
