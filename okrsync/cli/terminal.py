"""Text from mapping files and from the tools reaches the terminal inert.

A title, a Jira status, a comment or an error message can hold terminal control
characters: an escape sequence that clears the screen, retitles the window or hides
the text after it, or a bidirectional override that shows text in another order than
it is stored. They are shown escaped, as ``validate`` shows them (Python's ``repr``:
``\\x1b``, ``\\u202e``), so a person sees that they are there and nothing acts on them.
Line breaks and tabs stay what they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional embeddings,
# overrides and isolates (the "Trojan Source" characters).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character written as its escape."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def printable_cell(cell: Any) -> Any:
    """A table cell with its control characters escaped, its style kept."""
    if isinstance(cell, str):
        return printable(cell)
    if isinstance(cell, Text) and _CONTROL.search(cell.plain):
        return Text(printable(cell.plain), style=cell.style, justify=cell.justify)
    return cell


def _escaped(segments: Iterable[Segment]) -> Iterator[Segment]:
    for segment in segments:
        if segment.control or not _CONTROL.search(segment.text):
            yield segment  # Rich's own cursor and style codes are not text
        else:
            yield Segment(printable(segment.text), segment.style)


class TerminalConsole(Console):
    """A console that escapes control characters in everything it prints: tables,
    lines and error messages alike, whatever builds them."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        return _escaped(super().render(renderable, options))
