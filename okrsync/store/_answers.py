"""GET answers kept between runs, so that a connector's conditional re-reads
(``If-None-Match``) work in a new process too (``PullDone.answers``).

Bounded: a query keeps at most ``MAX_ANSWERS`` answers, each at most ``MAX_BODY_BYTES``
once compressed; a larger answer is simply read in full again next time.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping

from sqlalchemy import delete, select

from okrsync.connector import SeenAnswer
from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow
from okrsync.store._bulk import upsert
from okrsync.store._pull import query_hash

MAX_ANSWERS = 200
MAX_BODY_BYTES = 1 << 20


def _url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class KeptAnswers(StoreBase):
    def kept_answers(self, source: str, query: str) -> dict[str, SeenAnswer]:
        """The answers the last pull of the query kept, by URL."""
        a = t.kept_answers.c
        statement = select(a.url, a.etag, a.body).where(
            a.source == source, a.query_hash == query_hash(query)
        )
        with self._transaction() as connection:
            rows = connection.execute(statement).all()
        return {url: SeenAnswer(etag, zlib.decompress(body)) for url, etag, body in rows}

    def keep_answers(self, source: str, query: str, answers: Mapping[str, SeenAnswer]) -> None:
        """Make ``answers`` (the first ``MAX_ANSWERS`` small enough) the query's kept ones."""
        hashed = query_hash(query)
        now = utcnow()
        rows = []
        for url, answer in answers.items():
            body = zlib.compress(answer.body)
            if len(body) > MAX_BODY_BYTES:
                continue
            rows.append(
                {
                    "source": source,
                    "query_hash": hashed,
                    "url_hash": _url_hash(url),
                    "url": url,
                    "etag": answer.etag,
                    "body": body,
                    "seen_at": now,
                }
            )
            if len(rows) == MAX_ANSWERS:
                break
        a = t.kept_answers.c
        with self._transaction(write=True) as connection:
            connection.execute(
                delete(t.kept_answers).where(a.source == source, a.query_hash == hashed)
            )
            upsert(connection, t.kept_answers, rows)
