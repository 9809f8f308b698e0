"""Outcome metric values over time: one row per value read from a metric source.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Types are spelled out here rather than imported from the package, so that this
migration keeps creating the same schema whatever the models become later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "metric_values",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", "name", "at", name="pk_metric_values"),
    )


def downgrade() -> None:
    op.drop_table("metric_values")
