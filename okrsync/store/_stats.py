"""Planner statistics for PostgreSQL after large pulls.

Evaluation reads what a pull has just written. Until a table is analyzed, PostgreSQL
guesses that ``source = 'jira'`` matches half a percent of it and answers key lookups
by scanning every row of the source: minutes instead of a second after a first large
pull. Autovacuum fixes that only later, if it is on at all, so the pull does it once
it has written much more than the planner knows about. (SQLite's planner picks the
primary key for these lookups without statistics.)
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

# The tables a pull fills and evaluation reads.
PULLED = ("items", "changes", "query_members")
# Like autovacuum's defaults: analyze once changes exceed 10% of the table, plus a floor.
THRESHOLD_ROWS = 1000
THRESHOLD_SHARE = 0.1


def refresh_statistics(connection: Connection, rows_written: int) -> bool:
    """Analyze the pulled tables if ``rows_written`` outgrew what the planner knows;
    returns whether it did."""
    # reltuples is what the planner believes: -1 until the table was first analyzed.
    known = connection.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('changes')")
    ).scalar()
    if rows_written <= THRESHOLD_ROWS + THRESHOLD_SHARE * max(float(known or 0), 0.0):
        return False
    connection.execute(text("ANALYZE " + ", ".join(PULLED)))
    return True
