"""Plain text to Atlassian Document Format (ADF, version 1) and back.

okrsync writes comments and descriptions as plain text; Jira Cloud's v3 API wants ADF.
The mapping is chosen so that ``to_text(from_text(s)) == s`` for every string: blocks
separated by a blank line (``"\\n\\n"``) become paragraphs, and single newlines inside
a block become hard breaks. Marks (the bold heading line) are presentation only and
ignored when reading back, so a champion's text survives the trip exactly.

Reading is tolerant of ADF that okrsync did not write (headings, lists, mentions...),
because Jira or a person may have touched the document; such content is flattened to
reasonable text rather than rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Node = dict[str, Any]

BLOCK_SEPARATOR = "\n\n"


def text_node(text: str, *marks: str) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": mark} for mark in marks]
    return node


def paragraph(inline: Sequence[Node]) -> Node:
    return {"type": "paragraph", "content": list(inline)}


def doc(blocks: Sequence[Node]) -> Node:
    return {"version": 1, "type": "doc", "content": list(blocks)}


def inline_from_text(text: str, *marks: str) -> list[Node]:
    """Inline nodes for text that may hold single newlines (each one a hard break).

    ADF forbids empty text nodes, so empty lines contribute only their break.
    """
    nodes: list[Node] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            nodes.append({"type": "hardBreak"})
        if line:
            nodes.append(text_node(line, *marks))
    return nodes


def blocks_from_text(text: str, *, bold_first_line: bool = False) -> list[Node]:
    """One paragraph per blank-line-separated block; optionally the first line in bold."""
    blocks: list[Node] = []
    for index, chunk in enumerate(text.split(BLOCK_SEPARATOR)):
        if index == 0 and bold_first_line:
            first, newline, rest = chunk.partition("\n")
            inline = inline_from_text(first, "strong")
            if newline:
                inline.append({"type": "hardBreak"})
                inline.extend(inline_from_text(rest))
        else:
            inline = inline_from_text(chunk)
        blocks.append(paragraph(inline))
    return blocks


def from_text(text: str, *, bold_first_line: bool = False) -> Node:
    """The ADF document for ``text``."""
    return doc(blocks_from_text(text, bold_first_line=bold_first_line))


def to_text(document: Mapping[str, Any]) -> str:
    """The plain text of an ADF document (the inverse of ``from_text``)."""
    return blocks_to_text(_children(document))


def blocks_to_text(blocks: Sequence[Any]) -> str:
    return BLOCK_SEPARATOR.join(block_text(block) for block in blocks)


def block_text(block: Any) -> str:
    """The text of one top-level block; non-paragraph blocks are flattened."""
    if not isinstance(block, Mapping):
        return ""
    kind = block.get("type")
    if kind in ("bulletList", "orderedList"):
        items = [blocks_to_text(_children(item)) for item in _children(block)]
        if kind == "bulletList":
            return "\n".join(f"- {item}" for item in items)
        return "\n".join(f"{number}. {item}" for number, item in enumerate(items, 1))
    if kind in ("blockquote", "panel", "expand", "layoutSection", "layoutColumn", "table"):
        return blocks_to_text(_children(block))
    if kind == "rule":
        return "---"
    return inline_text(_children(block))


def inline_text(nodes: Sequence[Any]) -> str:
    parts: list[str] = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        kind = node.get("type")
        attrs = node.get("attrs")
        if not isinstance(attrs, Mapping):
            attrs = {}
        if kind == "text":
            parts.append(str(node.get("text", "")))
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind in ("mention", "emoji", "status", "date"):
            parts.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind in ("inlineCard", "blockCard"):
            parts.append(str(attrs.get("url", "")))
        elif _children(node):
            # Table rows and cells nest blocks; keep their text on one line each.
            parts.append(blocks_to_text(_children(node)))
    return "".join(parts)


def _children(node: Any) -> list[Any]:
    if not isinstance(node, Mapping):
        return []
    content = node.get("content")
    return list(content) if isinstance(content, list) else []
