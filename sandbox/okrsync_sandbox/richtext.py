"""Rich text in both of Jira's forms: ADF documents (REST v3) and strings (REST v2).

The sandbox stores whatever a client wrote and converts on the way out, so an ADF
description reads as text over v2 and a wiki comment reads as ADF over v3. A body read
back in the form it was written in is exactly what was written.
"""

from __future__ import annotations

from typing import Any


def as_wiki(body: Any) -> str | None:
    """A body as REST v2 shows it: paragraphs separated by a blank line."""
    if body is None or isinstance(body, str):
        return body
    return "\n\n".join(_block_text(block) for block in body.get("content") or [])


def as_adf(body: Any) -> Any:
    """A body as REST v3 shows it: one paragraph per blank-line separated block."""
    if not isinstance(body, str):
        return body
    paragraphs = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        content: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def _block_text(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    return "".join(_block_text(child) for child in node.get("content") or [])
