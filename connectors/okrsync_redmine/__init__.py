"""The Redmine connector (REST API, Redmine 4.2 and later; notes are edited in place
on Redmine 5 and later).

Public surface: ``RedmineConnector`` (registered as connector type ``redmine``),
``RedmineClient`` and ``RedmineSettings``.
"""

from okrsync_redmine.client import RedmineClient
from okrsync_redmine.connector import RedmineConnector
from okrsync_redmine.settings import RedmineSettings

__all__ = ["RedmineClient", "RedmineConnector", "RedmineSettings"]
