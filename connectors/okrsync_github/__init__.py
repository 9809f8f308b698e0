"""The GitHub connector (GitHub.com and Enterprise Server; contract section 6.1).

Public surface: ``GitHubConnector`` (registered as connector type ``github``),
``GitHubClient`` and ``GitHubSettings``.
"""

from okrsync_github.client import GitHubClient
from okrsync_github.connector import GitHubConnector
from okrsync_github.settings import GitHubSettings

__all__ = ["GitHubClient", "GitHubConnector", "GitHubSettings"]
