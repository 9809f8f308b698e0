"""GET answers kept for conditional re-reads across runs.

Revision ID: kept_answers
Revises: serve_units
Create Date: 2026-12-03

A connector re-reads an unchanged answer with ``If-None-Match`` and its ETag; a 304
costs no quota but carries no body, so the body is kept with the ETag (compressed).
Keyed by the query whose pull asked (its ``query_hash``, as ``cursors``) and the URL's
hash (URLs are long).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "kept_answers"
down_revision: str | None = "serve_units"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "kept_answers",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("query_hash", sa.String(), nullable=False),
        sa.Column("url_hash", sa.String(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "query_hash", "url_hash", name="pk_kept_answers"),
    )


def downgrade() -> None:
    op.drop_table("kept_answers")
