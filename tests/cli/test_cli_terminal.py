"""Control characters reach the terminal escaped, as ``validate`` shows them, whatever
prints them; line breaks, tabs, emoji and accents stay as they are."""

from __future__ import annotations

import io

from rich.text import Text

from okrsync.cli.tables import Col, fitted_table
from okrsync.cli.terminal import TerminalConsole, printable


def test_control_characters_are_written_as_their_escapes() -> None:
    assert printable("a\x1b[2Jb\x07c\x9bd\u202ee\ud800f") == (
        "a\\x1b[2Jb\\x07c\\x9bd\\u202ee\\ud800f"
    )
    assert printable("line\nnext\ttab · café 👩‍💻") == "line\nnext\ttab · café 👩‍💻"


def printed(*objects: object, width: int = 40) -> str:
    stream = io.StringIO()
    console = TerminalConsole(file=stream, width=width, markup=False, emoji=False)
    console.print(*objects)
    return stream.getvalue()


def test_everything_the_console_prints_is_escaped() -> None:
    shown = printed("error: Jira said \x1b]0;owned\x07 and \ud800", width=80)
    shown += printed(Text("x\x1b[5my", style="red"))
    assert "\x1b" not in shown and "\x07" not in shown
    assert "error: Jira said \\x1b]0;owned" in shown and "\\ud800" in shown
    assert "x\\x1b[5my" in shown
    # Escaped before it is laid out: a long line wraps, nothing is cropped off.
    assert "".join(printed("é\x1b" * 10, width=20).splitlines()) == "é\\x1b" * 10


def test_styles_stay_on_the_characters_they_styled() -> None:
    stream = io.StringIO()
    console = TerminalConsole(file=stream, width=80, color_system="truecolor")
    console.print(Text.assemble(("id\x1b", "bold"), " — title\x1b[2J"))
    assert stream.getvalue() == "\x1b[1mid\\x1b\x1b[0m — title\\x1b[2J\n"


def test_escaped_cells_are_measured_so_the_table_still_fits() -> None:
    rows = [["SHOP-1", "\x1b[2J" * 10 + "title"], ["SHOP-2", Text("Done\x1b[31m", style="green")]]
    shown = printed(fitted_table(None, [Col("key"), Col("title", flex=1)], rows, 30), width=80)
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 30
    assert lines[2].startswith("SHOP-1  \\x1b[2J") and lines[2].endswith("…")
    assert lines[3].rstrip() == "SHOP-2  Done\\x1b[31m"
