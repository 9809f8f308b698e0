"""Webhook deliveries seen, by the id their tool gave them: a tool redelivers what it
thinks was lost, and a redelivery must change nothing, after a restart too."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow

# Jira and GitHub stop redelivering long before this.
KEPT_FOR = timedelta(days=30)


class Deliveries(StoreBase):
    def first_delivery(self, instance: str, delivery_id: str, at: datetime | None = None) -> bool:
        """Record the delivery; False when it was recorded before (a redelivery).

        One statement decides it, so two processes receiving the same delivery at
        once cannot both see it as new."""
        received = at or utcnow()
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(t.webhook_deliveries)
            .values(instance=instance, delivery_id=delivery_id, received_at=received)
            .on_conflict_do_nothing()
            .returning(t.webhook_deliveries.c.delivery_id)
        )
        d = t.webhook_deliveries.c
        with self._transaction(write=True) as connection:
            inserted = connection.execute(statement).first() is not None
            connection.execute(
                delete(t.webhook_deliveries).where(d.received_at < received - KEPT_FOR)
            )
        return inserted
