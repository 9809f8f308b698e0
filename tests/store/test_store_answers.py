"""Answers kept for conditional re-reads: per query, replaced whole, bounded."""

from __future__ import annotations

import os

import pytest

from okrsync.connector import SeenAnswer
from okrsync.store import Store
from okrsync.store import _answers as answers_module


def test_kept_answers_come_back_per_query_and_are_replaced_whole(store: Store) -> None:
    page = SeenAnswer('W/"1"', b'{"total_count": 1, "items": [{"number": 1}]}')
    store.keep_answers("github", "q1", {"https://x/search?page=1": page})
    store.keep_answers("github", "q2", {"https://x/search?q2": SeenAnswer('"2"', b"{}")})
    assert store.kept_answers("github", "q1") == {"https://x/search?page=1": page}
    assert store.kept_answers("jira", "q1") == {}

    store.keep_answers("github", "q1", {"https://x/search?page=2": page})
    assert list(store.kept_answers("github", "q1")) == ["https://x/search?page=2"]
    assert list(store.kept_answers("github", "q2")) == ["https://x/search?q2"]


def test_kept_answers_are_bounded(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers_module, "MAX_ANSWERS", 3)
    monkeypatch.setattr(answers_module, "MAX_BODY_BYTES", 1000)
    # Random bytes do not compress: 2,000 of them stay over the 1,000-byte bound.
    answers = {"https://x/big": SeenAnswer('"big"', os.urandom(2000))}
    answers.update({f"https://x/{n}": SeenAnswer(f'"{n}"', b"[]") for n in range(5)})
    store.keep_answers("github", "q", answers)
    # The big one is left out, then the first three of the others are kept.
    assert sorted(store.kept_answers("github", "q")) == [f"https://x/{n}" for n in range(3)]
