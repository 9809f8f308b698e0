"""okrsync's state database: what was pulled, what runs found, what was written.

``Store.open(url)`` opens SQLite (``sqlite:///okrsync.db``, the default) or PostgreSQL
(``postgresql+psycopg://...``) and migrates the schema to the newest revision. Domain
types from ``okrsync.items`` go in and come out; rows never leave this package.
"""

from okrsync.store.records import KrResult, ObjectiveResult, RunRecord, RunStatus, WriteRecord
from okrsync.store.store import Store

__all__ = ["KrResult", "ObjectiveResult", "RunRecord", "RunStatus", "Store", "WriteRecord"]
