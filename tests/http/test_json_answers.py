"""A tool's JSON answer with lone surrogates (``"\\ud800"``) becomes text the store and
the terminal can hold: one such title must never make every sync fail."""

from __future__ import annotations

from datetime import UTC, datetime

from okrsync.items import Item, ItemType, StatusCategory
from okrsync.json_answers import loads_answer, loads_document
from okrsync.store import Store


def test_escaped_lone_surrogates_become_the_replacement_character() -> None:
    answer = b'{"fields": {"summary": "Pay \\ud800 now", "labels": ["\\uDFFF"]}, "n": 1}'
    assert loads_answer(answer) == {
        "fields": {"summary": "Pay \ufffd now", "labels": ["\ufffd"]},
        "n": 1,
    }


def test_a_valid_pair_and_plain_text_are_left_as_they_are() -> None:
    # U+1F600 written as its surrogate pair is one character, not two lone halves.
    assert loads_answer(b'{"t": "\\ud83d\\ude00 ok", "u": "caf\xc3\xa9"}') == {
        "t": "😀 ok",
        "u": "café",
    }
    assert loads_answer('{"keys": {"\\ud800": 1}}') == {"keys": {"\ufffd": 1}}


def test_what_the_fast_decoder_refuses_is_read_as_python_reads_it() -> None:
    # Bytes that encode a surrogate, NaN and a byte order mark: orjson refuses all three.
    assert loads_answer(b'{"s": "a\xed\xa0\x80b", "n": NaN}')["s"] == "a\ufffdb"
    assert str(loads_answer(b'{"n": NaN}')["n"]) == "nan"
    assert loads_answer("[1]".encode("utf-16")) == [1]


def test_a_document_keeps_integers_of_any_size() -> None:
    assert loads_document(b'{"id": 123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }
    assert loads_document(b'{"t": "\\ud800"}') == {"t": "\ufffd"}


def test_an_item_from_such_an_answer_is_stored_and_read_back() -> None:
    title = loads_answer(b'{"summary": "Checkout \\udc00 flow"}')["summary"]
    at = datetime(2027, 1, 5, tzinfo=UTC)
    item = Item(
        source="jira",
        key="SHOP-1",
        id="1",
        project="SHOP",
        type=ItemType.STORY,
        type_name="Story",
        summary=title,
        status="To Do",
        status_category=StatusCategory.TODO,
        created=at,
        updated=at,
    )
    with Store.open("sqlite://") as store:
        store.save_pull_batch("jira", "project = SHOP", [item], [])
        store.finish_pull("jira", "project = SHOP", ["SHOP-1"], at)
        (stored,) = store.items_for("jira", "project = SHOP")
    assert stored.summary == "Checkout \ufffd flow"
