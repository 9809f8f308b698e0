"""Tables people can read: results, writes, history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

from okrsync.summary import number, percent, status_word

STATUS_STYLES = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "closed": "blue",
    "not_started": "dim",
    "no_data": "dim",
}


def status_text(status: str) -> Text:
    return Text(status_word(status), style=STATUS_STYLES.get(status, ""))


def bar(progress: float | None, expected: float | None, width: int = 20) -> Text:
    """A progress bar with the expected position marked by a bar character."""
    if progress is None:
        return Text("·" * width, style="dim")
    filled = round(min(max(progress, 0.0), 1.0) * width)
    marker = None if expected is None else min(round(expected * width), width - 1)
    text = Text()
    for i in range(width):
        if i == marker:
            text.append("│", style="bold")
        elif i < filled:
            text.append("█", style="cyan")
        else:
            text.append("░", style="dim")
    return text


def results_table(document: Mapping[str, Any], title: str = "OKRs") -> Table:
    """Objectives, each followed by its key results."""
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("objective / key result", overflow="fold", max_width=48)
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("progress", no_wrap=True)
    table.add_column("", justify="right")
    table.add_column("expected", justify="right")
    table.add_column("status")
    krs = {kr["id"]: kr for kr in document["key_results"]}
    for objective in document["objectives"]:
        table.add_row(
            Text(f"{objective['id']}", style="bold"),
            "",
            "",
            bar(objective.get("progress", objective.get("score")), objective.get("expected")),
            percent(objective.get("score")),
            percent(objective.get("expected")),
            status_text(objective["status"]),
        )
        for kr_id in objective["key_results"]:
            if kr_id not in krs:
                continue  # recorded before the KR was added
            kr = krs[kr_id]
            name = Text(f"  {kr['id']}")
            if kr.get("override"):
                name.append(" (override)", style="magenta")
            if kr.get("warnings"):
                name.append(f" ⚠{len(kr['warnings'])}", style="yellow")
            unit = kr.get("unit") or ""
            table.add_row(
                name,
                number(kr.get("value"), unit),
                number(kr.get("target"), unit),
                bar(kr.get("progress"), kr.get("expected")),
                percent(kr.get("progress")),
                percent(kr.get("expected")),
                status_text(kr["status"]),
            )
    return table


def _short(value: Any, width: int = 40) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "{…}" if value else "{}"
    text = str(value).replace("\n", " ⏎ ")
    return text if len(text) <= width else text[: width - 1] + "…"


def writes_table(entries: Iterable[Mapping[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("key result", "to", "target", "what", "old", "new"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        what = entry["what"] + (f" {entry['field']}" if entry.get("field") else "")
        table.add_row(
            entry["kr"],
            entry["to"],
            entry["target"],
            what,
            _short(entry.get("old")),
            _short(entry.get("new")),
        )
    return table


def history_table(kr_id: str, points: Iterable[Mapping[str, Any]]) -> Table:
    table = Table(title=f"history of {kr_id}", title_justify="left")
    for column in ("as of", "value", "progress", "expected", "status", "source"):
        table.add_column(column)
    for point in points:
        table.add_row(
            str(point["as_of"])[:16],
            number(point.get("value"), point.get("unit") or ""),
            percent(point.get("progress")),
            percent(point.get("expected")),
            status_text(point["status"]),
            "back-filled" if point.get("backfilled") else "run",
        )
    return table
