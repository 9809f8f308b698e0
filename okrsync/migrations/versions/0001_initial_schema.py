"""Initial schema: pulled state, runs and results, the write ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Types are spelled out here rather than imported from the package, so that this
migration keeps creating the same schema whatever the models become later.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _utc(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _float(name: str) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=True)


def _json(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.JSON(), nullable=nullable)


def _serial() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _run_id(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=f"fk_{table}_run_id_runs"),
    )


def upgrade() -> None:
    op.create_table(
        "items",
        _text("source"),
        _text("key"),
        _text("id"),
        _text("project"),
        _text("type"),
        _text("type_name"),
        _long("summary"),
        _text("status"),
        _text("status_category"),
        _utc("created"),
        _utc("updated"),
        _utc("resolved", nullable=True),
        _float("estimate"),
        _text("parent", nullable=True),
        _json("sprints"),
        _json("labels"),
        _json("fields"),
        sa.PrimaryKeyConstraint("source", "key", name="pk_items"),
    )
    op.create_table(
        "changes",
        _text("source"),
        _text("key"),
        _text("field"),
        _text("change_id"),
        _utc("at"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _long("from_value", nullable=True),
        _long("to_value", nullable=True),
        sa.PrimaryKeyConstraint("source", "key", "field", "change_id", "at", name="pk_changes"),
    )
    op.create_table(
        "sprints",
        _text("source"),
        _text("id"),
        _text("name"),
        _text("state"),
        _text("board_id", nullable=True),
        _utc("start_at", nullable=True),
        _utc("end_at", nullable=True),
        _utc("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("source", "id", name="pk_sprints"),
    )
    op.create_table(
        "query_members",
        _text("source"),
        _text("query_hash"),
        _text("key"),
        sa.PrimaryKeyConstraint("source", "query_hash", "key", name="pk_query_members"),
    )
    op.create_table(
        "cursors",
        _text("source"),
        _text("query_hash"),
        _long("query"),
        _utc("since"),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("source", "query_hash", name="pk_cursors"),
    )
    op.create_table(
        "runs",
        _serial(),
        _text("command"),
        _utc("as_of"),
        _utc("started_at"),
        _utc("finished_at", nullable=True),
        _text("status"),
        _json("pulled"),
        _json("warnings"),
        _json("errors"),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "kr_results",
        _serial(),
        *_run_id("kr_results"),
        _text("kr_id"),
        _text("objective_id", nullable=True),
        _utc("as_of"),
        *(_float(name) for name in ("value", "baseline", "target", "progress", "score")),
        _float("expected"),
        _text("status", nullable=True),
        _json("override", nullable=True),
        _json("data"),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        _utc("recorded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_kr_results"),
    )
    op.create_index("ix_kr_results_kr_id_as_of", "kr_results", ["kr_id", "as_of"])
    op.create_index("ix_kr_results_run_id", "kr_results", ["run_id"])
    op.create_table(
        "objective_results",
        _serial(),
        *_run_id("objective_results"),
        _text("objective_id"),
        _utc("as_of"),
        _float("score"),
        _text("status", nullable=True),
        _json("data"),
        _utc("recorded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_objective_results"),
    )
    op.create_index(
        "ix_objective_results_objective_id_as_of", "objective_results", ["objective_id", "as_of"]
    )
    op.create_index("ix_objective_results_run_id", "objective_results", ["run_id"])
    op.create_table(
        "writes",
        _serial(),
        *_run_id("writes"),
        _text("kr_id"),
        _text("to_instance"),
        _text("target", nullable=True),
        _text("what"),
        _json("old_value", nullable=True),
        _json("new_value", nullable=True),
        _text("receipt_issue", nullable=True),
        _text("receipt_ref", nullable=True),
        _utc("at"),
        sa.PrimaryKeyConstraint("id", name="pk_writes"),
    )
    op.create_index("ix_writes_run_id", "writes", ["run_id"])
    op.create_table(
        "created_issues",
        _text("kr_id"),
        _text("to_instance"),
        _text("issue_key"),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("kr_id", "to_instance", name="pk_created_issues"),
    )
    op.create_table(
        "owned_comments",
        _text("to_instance"),
        _text("issue"),
        _text("comment_id"),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("to_instance", "issue", name="pk_owned_comments"),
    )
    op.create_table(
        "lock_holder",
        _text("name"),
        _text("holder"),
        _utc("since"),
        sa.PrimaryKeyConstraint("name", name="pk_lock_holder"),
    )


def downgrade() -> None:
    for table in (
        "lock_holder",
        "owned_comments",
        "created_issues",
        "writes",
        "objective_results",
        "kr_results",
        "runs",
        "cursors",
        "query_members",
        "sprints",
        "changes",
        "items",
    ):
        # Dropping a table drops its indexes with it, on both backends.
        op.drop_table(table)
