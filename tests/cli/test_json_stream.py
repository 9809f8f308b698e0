"""The streamed JSON writer gives exactly the bytes ``json.dumps(indent=2, default=str)``
gives, for every shape the commands print."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from okrsync.cli.json_stream import write_json


class Colour(StrEnum):
    RED = "red"


EVIDENCE = {
    "key": "SHOP-1",
    "source": "jira",
    "status": "Fertig – “done”",
    "status_category": "done",
    "done": True,
    "contributes": 2.5,
    "note": 'quotes " and \\ and a\nnewline',
}

DOCUMENTS = [
    {},
    [],
    {"as_of": "2027-02-15T00:00:00+00:00", "objectives": [], "key_results": []},
    {"nested": {"empty": {}, "list": [[], [{}], [1, [2, [3]]]]}},
    {"evidence": {"counts": {"selected": 3}, "items": [EVIDENCE, dict(EVIDENCE, done=False)]}},
    {"numbers": [0, -1, 10**20, 0.1, 1e-7, 1e22, -0.0, float("nan"), float("inf"), -float("inf")]},
    {"scalars": [None, True, False, "", "ünïcode ✓", Colour.RED]},
    {1: "int key", 2.5: "float key", None: "null key"},
    {True: "bool key", False: "another"},
    {"tuple": (1, "two", (3,)), "when": datetime(2027, 1, 1, tzinfo=UTC), "set": {1}},
    [{"flat": 1}, {"not flat": [1]}, {"flat": None, "deep": {"a": 1}}],
    "just a string",
    3.25,
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_bytes_are_those_of_json_dumps(document: object) -> None:
    stream = io.StringIO()
    write_json(document, stream)
    assert stream.getvalue() == json.dumps(document, indent=2, default=str) + "\n"


def test_a_large_document_is_written_in_several_pieces() -> None:
    writes: list[str] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    document = {"items": [dict(EVIDENCE, key=f"SHOP-{n}") for n in range(20_000)]}
    write_json(document, Recorder())
    assert len(writes) > 3
    assert "".join(writes) == json.dumps(document, indent=2) + "\n"
