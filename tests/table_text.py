"""Reading okrsync's tables back from a command's output: the rule under a table's
header is broken at each column gap, so its dashes give every column's extent."""

from __future__ import annotations

import re


def table_rows(text: str, first_header: str) -> list[list[str]]:
    """The rows (header first) of the table whose header starts with
    ``first_header``, each cut into stripped cells."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(first_header) and index + 1 < len(lines):
            rule = lines[index + 1]
            if "─" in rule and set(rule.strip()) <= {"─", " "}:
                break
    else:
        raise AssertionError(f"no table headed {first_header!r} in:\n{text}")
    spans = [match.span() for match in re.finditer("─+", rule)]
    gaps = [end for _start, end in spans[:-1]]
    rows = [[lines[index][start:end].strip() for start, end in spans]]
    for line in lines[index + 2 :]:
        cells = [line[start:end].strip() for start, end in spans]
        # The table ends at a blank line, or at a line that does not keep to its
        # columns (a message, the next table's title).
        if not any(cells) or any(line[gap : gap + 1].strip() for gap in gaps):
            break
        if not any(cells[1:]) and len(spans) > 1:
            break
        rows.append(cells)
    return rows
