"""The Jira connector (Cloud REST v3 and Data Center REST v2).

Public surface: ``JiraConnector`` (registered as connector type ``jira``), ``JiraClient``,
``JiraSettings`` and ``FieldCatalog``.
"""

from okrsync_jira.client import JiraClient
from okrsync_jira.connector import JiraConnector
from okrsync_jira.fields import FieldCatalog, JiraField
from okrsync_jira.settings import JiraSettings

__all__ = ["FieldCatalog", "JiraClient", "JiraConnector", "JiraField", "JiraSettings"]
