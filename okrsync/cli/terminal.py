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
from rich.text import Span, Text

# C0 controls but tab and line feed, DEL, C1 controls, the bidirectional embeddings,
# overrides and isolates (the "Trojan Source" characters), and lone UTF-16 surrogates
# (which no terminal encoding can write: printing one would fail the command).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every control character written as its escape."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def _printable_text(text: Text) -> Text:
    """A copy of ``text`` with its control characters escaped and every style kept
    on the characters it styled."""
    plain = text.plain
    moved = list(range(len(plain) + 1))  # where each old offset lands
    parts: list[str] = []
    shift = 0
    for index, char in enumerate(plain):
        moved[index] = index + shift
        shown = printable(char)
        parts.append(shown)
        shift += len(shown) - 1
    moved[len(plain)] = len(plain) + shift
    copy = text.copy()
    copy.plain = "".join(parts)
    copy.spans = [Span(moved[s.start], moved[s.end], s.style) for s in text.spans]
    return copy


def printable_cell(cell: Any) -> Any:
    """A table cell or printed object with its control characters escaped, its styles
    kept; anything else (a table, a bar) is left to ``TerminalConsole.render``."""
    if isinstance(cell, str):
        return printable(cell)
    if isinstance(cell, Text) and _CONTROL.search(cell.plain):
        return _printable_text(cell)
    return cell


def _escaped(segments: Iterable[Segment]) -> Iterator[Segment]:
    for segment in segments:
        if segment.control or not _CONTROL.search(segment.text):
            yield segment  # Rich's own cursor and style codes are not text
        else:
            yield Segment(printable(segment.text), segment.style)


class TerminalConsole(Console):
    """A console that escapes control characters in everything it prints: tables,
    lines and error messages alike, whatever builds them. Text is escaped before it is
    laid out, so that its width counts the escapes; what is rendered from other
    objects is escaped as it is rendered."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(printable_cell(o) for o in objects), **options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        return _escaped(super().render(renderable, options))
