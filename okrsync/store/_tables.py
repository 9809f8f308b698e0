"""The store's tables. Rows never leave the package: ``_convert`` maps them to domain
types. The migrations in ``okrsync/migrations`` must create exactly these tables (a
test compares them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, MetaData, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from okrsync.store._types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class _Table(SQLModel, registry=registry(metadata=metadata)):
    """Keeps okrsync's tables out of SQLModel's global metadata."""


def _utc(*, nullable: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable)


def _json(*, nullable: bool = False) -> Any:
    return Field(sa_type=JSON, nullable=nullable)


def _text(*, nullable: bool = False) -> Any:
    return Field(sa_type=Text, nullable=nullable)


# --- pulled state --------------------------------------------------------------------


class ItemRow(_Table, table=True):
    __tablename__ = "items"

    source: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    id: str
    project: str
    type: str
    type_name: str
    summary: str = _text()
    status: str
    status_category: str
    created: datetime = _utc()
    updated: datetime = _utc()
    resolved: datetime | None = _utc(nullable=True)
    estimate: float | None = None
    parent: str | None = None
    sprints: list[str] = _json()
    labels: list[str] = _json()
    fields: dict[str, Any] = _json()


class ChangeRow(_Table, table=True):
    __tablename__ = "changes"

    source: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    change_id: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    # Position in the list the connector gave: orders changes that share an instant.
    seq: int
    from_value: str | None = _text(nullable=True)
    to_value: str | None = _text(nullable=True)


class ObservationRow(_Table, table=True):
    """A value of a field the tool keeps no history of, as a pull saw it: written when
    it differs from the one seen before (``okrsync.connector.Capabilities.history``)."""

    __tablename__ = "observations"

    source: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    value: str | None = _text(nullable=True)


class SprintRow(_Table, table=True):
    __tablename__ = "sprints"

    source: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    state: str
    board_id: str | None = None
    start_at: datetime | None = _utc(nullable=True)
    end_at: datetime | None = _utc(nullable=True)
    completed_at: datetime | None = _utc(nullable=True)


class MemberRow(_Table, table=True):
    """Which items a query matched at its last finished pull."""

    __tablename__ = "query_members"

    source: str = Field(primary_key=True)
    # sha256 of the query text: query texts can exceed what an index entry may hold.
    query_hash: str = Field(primary_key=True)
    key: str = Field(primary_key=True)


class CursorRow(_Table, table=True):
    __tablename__ = "cursors"

    source: str = Field(primary_key=True)
    query_hash: str = Field(primary_key=True)
    query: str = _text()
    since: datetime = _utc()
    updated_at: datetime = _utc()


class MemberSweepRow(_Table, table=True):
    """When the members of a query were last listed in full (not just counted)."""

    __tablename__ = "member_sweeps"

    source: str = Field(primary_key=True)
    query_hash: str = Field(primary_key=True)
    swept_at: datetime = Field(sa_type=UTCDateTime)


class MetricValueRow(_Table, table=True):
    """One value of an outcome metric, as read from its source at ``at``."""

    __tablename__ = "metric_values"

    source: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    value: float


# --- runs and their results ------------------------------------------------------------


class RunRow(_Table, table=True):
    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    command: str
    as_of: datetime = _utc()
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(nullable=True)
    status: str  # running | ok | partial | failed
    pulled: dict[str, Any] = _json()
    warnings: list[str] = _json()
    errors: list[str] = _json()
    # The mapping file a unit run synced (okrsync serve, sync --unit); NULL: every file.
    unit: str | None = None


def _run_id() -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("runs.id"), nullable=True, index=True))


class KrResultRow(_Table, table=True):
    __tablename__ = "kr_results"
    __table_args__ = (Index("ix_kr_results_kr_id_as_of", "kr_id", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = _run_id()
    kr_id: str
    objective_id: str | None = None
    as_of: datetime = _utc()
    value: float | None = None
    baseline: float | None = None
    target: float | None = None
    progress: float | None = None
    score: float | None = None
    expected: float | None = None
    status: str | None = None
    override: dict[str, Any] | None = _json(nullable=True)
    data: dict[str, Any] = _json()
    backfilled: bool
    recorded_at: datetime = _utc()


class ObjectiveResultRow(_Table, table=True):
    __tablename__ = "objective_results"
    __table_args__ = (Index("ix_objective_results_objective_id_as_of", "objective_id", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = _run_id()
    objective_id: str
    as_of: datetime = _utc()
    score: float | None = None
    status: str | None = None
    data: dict[str, Any] = _json()
    recorded_at: datetime = _utc()


# --- what okrsync wrote to the tools ---------------------------------------------------


class WriteRow(_Table, table=True):
    __tablename__ = "writes"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = _run_id()
    kr_id: str
    to_instance: str
    target: str | None = None
    what: str
    old_value: Any = _json(nullable=True)
    new_value: Any = _json(nullable=True)
    receipt_issue: str | None = None
    receipt_ref: str | None = None
    at: datetime = _utc()


class CreatedIssueRow(_Table, table=True):
    __tablename__ = "created_issues"

    kr_id: str = Field(primary_key=True)
    to_instance: str = Field(primary_key=True)
    issue_key: str
    created_at: datetime = _utc()


class OwnedCommentRow(_Table, table=True):
    __tablename__ = "owned_comments"

    to_instance: str = Field(primary_key=True)
    issue: str = Field(primary_key=True)
    comment_id: str
    updated_at: datetime = _utc()


class LockHolderRow(_Table, table=True):
    """Who took the run lock last: only read to explain why the lock is taken."""

    __tablename__ = "lock_holder"

    name: str = Field(primary_key=True)
    holder: str
    since: datetime = _utc()


class StoreIdentityRow(_Table, table=True):
    """The store's id and secret (one row, ``name`` "store"): they bind saved plans."""

    __tablename__ = "store_identity"

    name: str = Field(primary_key=True)
    store_id: str
    secret: str
    created_at: datetime = _utc()


class WebhookDeliveryRow(_Table, table=True):
    """A webhook delivery seen, by the id its tool gave it: a redelivery is ignored."""

    __tablename__ = "webhook_deliveries"

    instance: str = Field(primary_key=True)
    delivery_id: str = Field(primary_key=True)
    received_at: datetime = _utc()


items = metadata.tables["items"]
changes = metadata.tables["changes"]
observations = metadata.tables["observations"]
sprints = metadata.tables["sprints"]
members = metadata.tables["query_members"]
cursors = metadata.tables["cursors"]
metric_values = metadata.tables["metric_values"]
member_sweeps = metadata.tables["member_sweeps"]
runs = metadata.tables["runs"]
kr_results = metadata.tables["kr_results"]
objective_results = metadata.tables["objective_results"]
writes = metadata.tables["writes"]
created_issues = metadata.tables["created_issues"]
owned_comments = metadata.tables["owned_comments"]
lock_holder = metadata.tables["lock_holder"]
store_identity = metadata.tables["store_identity"]


# --- cycle closures --------------------------------------------------------------------


class CycleClosureRow(_Table, table=True):
    """A cycle closed (its final results frozen, with the team's notes) or re-opened."""

    __tablename__ = "cycle_closures"

    id: int | None = Field(default=None, primary_key=True)
    cycle: str = Field(index=True)
    action: str  # close | reopen
    at: datetime = _utc()
    as_of: datetime = _utc()  # the instant the final results were evaluated as of
    results: dict[str, Any] = _json()  # {"key_results": [...], "objectives": [...]}
    notes: dict[str, str] = _json()  # KR id -> why it was or was not reached


cycle_closures = metadata.tables["cycle_closures"]


webhook_deliveries = metadata.tables["webhook_deliveries"]


# --- answers kept for conditional re-reads --------------------------------------------


class KeptAnswerRow(_Table, table=True):
    """A GET answer a connector may re-read with ``If-None-Match`` in a later run: its
    ETag and its body (zlib-compressed), for one URL of one query's pull."""

    __tablename__ = "kept_answers"

    source: str = Field(primary_key=True)
    query_hash: str = Field(primary_key=True)
    url_hash: str = Field(primary_key=True)
    url: str = _text()
    etag: str = _text()
    body: bytes = Field(sa_type=LargeBinary, nullable=False)
    seen_at: datetime = _utc()


kept_answers = metadata.tables["kept_answers"]
