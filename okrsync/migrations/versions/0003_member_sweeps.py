"""When each query's members were last listed in full.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

A table of its own (not a column of ``cursors``): the cursor is upserted whole on every
pull, and a sweep time must survive pulls that did not list the members.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "member_sweeps",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("query_hash", sa.String(), nullable=False),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "query_hash", name="pk_member_sweeps"),
    )


def downgrade() -> None:
    op.drop_table("member_sweeps")
