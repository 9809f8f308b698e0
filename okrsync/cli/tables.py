"""Tables people can read: results, writes, history, back-fills and runs."""

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


def bar(progress: float | None, expected: float | None, width: int = 16) -> Text:
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
    krs = {kr["id"]: kr for kr in document["key_results"]}
    names = {kr_id: _kr_name(kr) for kr_id, kr in krs.items()}
    # Wide enough for every name (up to a limit): a name folded onto a second line
    # reads as a row of its own.
    widest = max((len(name) for name in names.values()), default=0)
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column(
        "objective / key result", overflow="fold", min_width=min(widest, 48), max_width=48
    )
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("progress", no_wrap=True)
    table.add_column("", justify="right")
    table.add_column("expected", justify="right")
    table.add_column("status")
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
            unit = kr.get("unit") or ""
            table.add_row(
                names[kr_id],
                number(kr.get("value"), unit),
                number(kr.get("target"), unit),
                bar(kr.get("progress"), kr.get("expected")),
                percent(kr.get("progress")),
                percent(kr.get("expected")),
                status_text(kr["status"]),
            )
    return table


def _kr_name(kr: Mapping[str, Any]) -> Text:
    """A KR's row label: its id, marked when overridden or warned about."""
    name = Text(f"  {kr['id']}")
    if kr.get("override"):
        name.append(" (override)", style="magenta")
    if kr.get("warnings"):
        name.append(f" ⚠{len(kr['warnings'])}", style="yellow")
    return name


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


def override_lines(document: Mapping[str, Any]) -> list[str]:
    """One line per KR whose progress an override replaces, with its reason: the
    table only marks such KRs."""
    lines = []
    for kr in document["key_results"]:
        override = kr.get("override")
        if not override:
            continue
        lines.append(
            f"override on {kr['id']}: progress {percent(kr.get('progress'))} until "
            f"{override.get('until', '—')} (computed {percent(kr.get('computed_progress'))})"
            f" — {override.get('reason', '')}"
        )
    return lines


def history_table(kr_id: str, points: Iterable[Mapping[str, Any]]) -> Table:
    table = Table(title=f"history of {kr_id}", title_justify="left")
    for column in ("as of", "value", "progress", "expected", "status", "source", "note"):
        table.add_column(column, overflow="fold")
    for point in points:
        override = point.get("override")
        table.add_row(
            str(point["as_of"])[:16],
            number(point.get("value"), point.get("unit") or ""),
            percent(point.get("progress")),
            percent(point.get("expected")),
            status_text(point["status"]),
            "back-filled" if point.get("backfilled") else "run",
            f"override: {override.get('reason', '')}" if override else "",
        )
    return table


def backfill_table(rows: Iterable[Mapping[str, Any]], title: str) -> Table:
    """KR → the daily points a back-fill recorded."""
    table = Table(title=title, title_justify="left")
    table.add_column("key result")
    table.add_column("points", justify="right")
    table.add_column("from")
    table.add_column("last value", justify="right")
    table.add_column("note", overflow="fold")
    for row in rows:
        table.add_row(
            row["kr"],
            str(row["points"]),
            str(row.get("first") or "—")[:16],
            number(row.get("value"), row.get("unit") or ""),
            row.get("note", ""),
        )
    return table


def runs_table(rows: Iterable[Mapping[str, Any]], title: str) -> Table:
    """Recent runs: what each did and the first error of a failed one."""
    table = Table(title=title, title_justify="left")
    for column in ("run", "command", "started (UTC)", "as of (UTC)", "status", "did", "error"):
        table.add_column(column, overflow="fold")
    styles = {"ok": "green", "failed": "red", "running": "yellow"}
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["command"],
            str(row["started_at"])[:19],
            str(row["as_of"])[:16],
            Text(row["status"], style=styles.get(row["status"], "")),
            row["did"],
            row.get("error") or "",
        )
    return table
