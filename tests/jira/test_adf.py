"""Plain text ⇄ ADF, and the comment formats built on it: exact round-trips."""

from __future__ import annotations

import itertools
import json

import pytest
from okrsync_jira import adf
from okrsync_jira.comment import CLOUD, DATA_CENTER, AdfFormat, WikiFormat

ALPHABET = ("a", "\n", "*", " ", "_")


def all_strings(max_len: int) -> list[str]:
    return [
        "".join(chars)
        for length in range(max_len + 1)
        for chars in itertools.product(ALPHABET, repeat=length)
    ]


TRICKY = [
    "",
    "\n",
    "\n\n",
    "\n\n\n",
    "Ship one-click checkout: 40.0%",
    "Heading\nvalue: 40\nprogress: 40.0%",
    "Heading\n\nsecond paragraph\n\n\nthird after two blank lines\n",
    "  leading and trailing spaces  \n\t tab",
    "*already bold*\n_italic_ {code} [link|http://x] ·",
    "Ünïcödé · 😀 日本語",
]


def test_from_text_builds_the_expected_document() -> None:
    document = adf.from_text("KR: 40%\nvalue 4 of 10\n\nevidence: SHOP-1", bold_first_line=True)
    assert document == {
        "version": 1,
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "KR: 40%", "marks": [{"type": "strong"}]},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "value 4 of 10"},
                ],
            },
            {"type": "paragraph", "content": [{"type": "text", "text": "evidence: SHOP-1"}]},
        ],
    }


def test_no_empty_text_nodes_are_produced() -> None:
    # ADF rejects text nodes with empty text; blank lines must become breaks only.
    document = adf.from_text("\nA\n\n\n\nB\n", bold_first_line=True)
    texts = [
        node["text"]
        for block in document["content"]
        for node in block["content"]
        if node["type"] == "text"
    ]
    assert texts == ["A", "B"]
    assert "" not in json.dumps(document).split('"text": ')[1:]


@pytest.mark.parametrize("bold", [False, True])
def test_adf_round_trip_is_exact_for_every_short_string(bold: bool) -> None:
    for text in [*all_strings(5), *TRICKY]:
        assert adf.to_text(adf.from_text(text, bold_first_line=bold)) == text, repr(text)


@pytest.mark.parametrize("fmt", [CLOUD, DATA_CENTER], ids=["adf", "wiki"])
def test_comment_round_trip_is_exact(fmt: AdfFormat | WikiFormat) -> None:
    for text in [*all_strings(5), *TRICKY]:
        body = fmt.render("ship-one-click", text)
        # Jira hands bodies back as JSON; the trip through it must not matter.
        body = json.loads(json.dumps(body))
        assert fmt.owned_text(body, "ship-one-click") == text, repr(text)


@pytest.mark.parametrize("fmt", [CLOUD, DATA_CENTER], ids=["adf", "wiki"])
def test_the_marker_tells_krs_apart(fmt: AdfFormat | WikiFormat) -> None:
    body = fmt.render("ship", "Ship: 10%")
    assert fmt.owned_text(body, "ship") == "Ship: 10%"
    assert fmt.owned_text(body, "ship-one-click") is None
    assert fmt.owned_text(fmt.render("ship-one-click", "x"), "ship") is None


def test_adf_marker_is_a_visible_first_paragraph() -> None:
    body = CLOUD.render("conversion", "Conversion: 2.4")
    assert adf.block_text(body["content"][0]).startswith("okrsync · KR conversion ")
    assert body["content"][1]["content"][0]["marks"] == [{"type": "strong"}]


def test_wiki_body_reads_like_wiki_markup() -> None:
    body = DATA_CENTER.render("conversion", "Conversion: 2.4\nstatus: on_track")
    assert body.startswith("_okrsync · KR conversion · ")
    assert body.endswith("_\n\n*Conversion: 2.4*\nstatus: on_track")
    # Data Center may hand the body back with Windows line endings.
    assert DATA_CENTER.owned_text(body.replace("\n", "\r\n"), "conversion") == (
        "Conversion: 2.4\nstatus: on_track"
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        "plain string",
        {"type": "doc", "version": 1, "content": []},
        adf.from_text("someone's comment mentioning okrsync · KR ship"),
        adf.from_text("okrsync · KR shipping"),
    ],
)
def test_comments_okrsync_did_not_write_are_not_claimed(body: object) -> None:
    assert CLOUD.owned_text(body, "ship") is None


def test_foreign_adf_is_flattened_to_text() -> None:
    document = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 2},
                "content": [{"type": "text", "text": "Title"}],
            },
            {
                "type": "paragraph",
                "content": [
                    {"type": "mention", "attrs": {"id": "1", "text": "@Ana"}},
                    {"type": "text", "text": " see "},
                    {"type": "inlineCard", "attrs": {"url": "https://x.test/1"}},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "one"}]}
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "two"}]}
                        ],
                    },
                ],
            },
            {"type": "rule"},
        ],
    }
    assert adf.to_text(document) == "Title\n\n@Ana see https://x.test/1\n\n- one\n- two\n\n---"
