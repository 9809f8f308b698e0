"""Cycle closures: the final results of a closed cycle, kept apart from later history,
and every re-opening.

Revision ID: 0004_cycle_closures
Revises: store_identity
Create Date: 2026-12-03

Types are spelled out here rather than imported from the package, so that this
migration keeps creating the same schema whatever the models become later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_cycle_closures"
down_revision: str | None = "store_identity"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cycle_closures"),
    )
    op.create_index("ix_cycle_closures_cycle", "cycle_closures", ["cycle"])


def downgrade() -> None:
    op.drop_index("ix_cycle_closures_cycle", table_name="cycle_closures")
    op.drop_table("cycle_closures")
