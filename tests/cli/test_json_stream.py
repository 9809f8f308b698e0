"""The streamed JSON writer gives exactly the bytes ``json.dumps(indent=2, default=str)``
gives, for every shape the commands print; streamed into an ``--out`` file, it is still
written whole or not at all."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO

import pytest

from okrsync.cli.json_stream import write_json
from okrsync.errors import ConfigError
from okrsync.outfile import write_out


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


def test_a_streamed_out_file_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("the old plan\n")
    document = {"items": [dict(EVIDENCE, key=f"SHOP-{n}") for n in range(20_000)]}

    def broken(stream: IO[str]) -> None:
        write_json({"items": document["items"][:10]}, stream)
        raise RuntimeError("the writer stopped half way")

    with pytest.raises(RuntimeError):
        write_out(target, broken, "the plan")
    # A reader sees the old file or the new one, never a partial write.
    assert target.read_text() == "the old plan\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]

    write_out(target, lambda stream: write_json(document, stream), "the plan")
    assert target.read_text() == json.dumps(document, indent=2) + "\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_streamed_out_file_never_follows_a_link(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("a file the link points to\n")
    link = tmp_path / "plan.json"
    link.symlink_to(kept)
    with pytest.raises(ConfigError, match="it is a symbolic link"):
        write_out(link, lambda stream: write_json({}, stream), "the plan")
    assert link.is_symlink() and kept.read_text() == "a file the link points to\n"
