"""Text search (``~``) the way Jira's index behaves, approximately."""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"[\w*?]+")


def text_matcher(query: str) -> Callable[[str], bool]:
    """Word matching like Jira's: case-insensitive, ``*`` wildcards, crude stemming."""
    stripped = query.strip()
    if len(stripped) > 1 and stripped[0] == stripped[-1] == '"':
        phrase = stripped[1:-1].lower()
        return lambda text: phrase in text.lower()
    terms = [t.lower() for t in _WORD.findall(stripped)]

    def matches(text: str) -> bool:
        words = re.findall(r"\w+", text.lower())
        for term in terms:
            stem = term.rstrip("*?")
            if not any(w == stem or w.startswith(stem) for w in words):
                return False
        return True

    return matches
