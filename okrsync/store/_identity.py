"""Who this store is: an id and a secret of its own, made on first use.

A saved plan carries the store's id and an HMAC of its writes under the store's
secret, so that ``apply --plan`` can tell a plan this store made, unchanged, from an
edited one or one made from another store."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select

from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow
from okrsync.store._bulk import upsert


class StoreIdentity(StoreBase):
    def identity(self) -> tuple[str, bytes]:
        """(the store's id, its secret): the first call makes them, and every store
        sharing this database agrees on the first ones written."""
        c = t.store_identity.c
        statement = select(c.store_id, c.secret).where(c.name == "store")
        with self._transaction() as connection:
            row = connection.execute(statement).first()
        if row is None:
            made = {
                "name": "store",
                "store_id": str(uuid.uuid4()),
                "secret": secrets.token_hex(32),
                "created_at": utcnow(),
            }
            with self._transaction(write=True) as connection:
                upsert(connection, t.store_identity, [made], update=False)
                row = connection.execute(statement).one()
        return str(row.store_id), bytes.fromhex(row.secret)
