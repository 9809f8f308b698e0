"""okrsync serve: the sync unit a run covered, and the webhook deliveries seen.

Revision ID: serve_units
Revises: 0004_cycle_closures
Create Date: 2026-12-03

``runs.unit`` is the mapping file a unit run synced (NULL: every file), so that a run
left ``running`` by a killed process is failed by the next run of the same unit.
``webhook_deliveries`` keeps the delivery ids a tool sent, so that a redelivery is
recognised after a restart too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "serve_units"
down_revision: str | None = "0004_cycle_closures"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("unit", sa.String(), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("delivery_id", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", "delivery_id", name="pk_webhook_deliveries"),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("unit")
