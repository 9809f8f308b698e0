"""Tables people can read: results, writes, history, back-fills and runs.

Every table fits 80 columns: the columns that carry the verdict (status, expected)
never wrap or drop, timestamps never break mid-number, and long text (names, errors,
comment bodies) is cut with an ellipsis instead of folding into rows of their own."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.box import Box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import JustifyMethod

from okrsync.cli.terminal import printable_cell
from okrsync.summary import forecast_band, number, percent, plural, status_word

STATUS_STYLES = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "closed": "blue",
    "not_started": "dim",
    "no_data": "dim",
    "ok": "green",
    "failed": "red",
    "partial": "yellow",
    "running": "yellow",
}
FORECAST_STYLES = {"likely": "green", "at_risk": "yellow", "unlikely": "red"}
EXPECTED_MARK = "│"
# Below this console width the progress bar shrinks so that status and expected fit.
_WIDE = 100


def status_text(status: str) -> Text:
    return Text(status_word(status), style=STATUS_STYLES.get(status, ""))


def instant_label(moment: datetime | str, tz: ZoneInfo) -> str:
    """``2027-02-16 17:00 CET (Europe/Berlin)``: an instant as people in the config's
    time zone read it, with the zone named."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({tz.key})"


def short_instant(moment: datetime | str | None, tz: ZoneInfo) -> str:
    """``2027-02-16 17:00`` in the config's time zone, for table cells."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def zone_name(tz: ZoneInfo, at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).astimezone(tz).tzname() or tz.key


def rounded(value: float | None, unit: str = "") -> str:
    """A value rounded for people: three significant digits at most below 100, whole
    numbers above (the JSON keeps full precision)."""
    if value is None:
        return "—"
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    return number(round(value, digits), unit)


def bar(progress: float | None, expected: float | None, width: int = 16) -> Text:
    """A progress bar with the expected position marked by a bar character."""
    if progress is None:
        return Text("·" * width, style="dim")
    filled = round(min(max(progress, 0.0), 1.0) * width)
    marker = None if expected is None else min(round(expected * width), width - 1)
    text = Text()
    for i in range(width):
        if i == marker:
            text.append(EXPECTED_MARK, style="bold")
        elif i < filled:
            text.append("█", style="cyan")
        else:
            text.append("░", style="dim")
    return text


@dataclass(frozen=True)
class Col:
    """A column of a fitted table. ``flex`` columns (names, text) share what the
    fixed ones leave, by weight, and are cut with an ellipsis; fixed columns (numbers,
    statuses, timestamps) always get their full width."""

    header: str
    justify: JustifyMethod = "left"
    flex: int = 0


_SEPARATOR = 2  # collapsed padding between columns
# No rules but under the header, broken between columns, so that each column's extent
# shows (and a script can cut the rows at the gaps).
_UNDERLINED = Box("    \n    \n ─  \n    \n    \n    \n    \n    \n")


def fitted_table(
    title: str | None, columns: Sequence[Col], rows: Sequence[Sequence[Any]], width: int
) -> Table:
    """A table at most ``width`` columns wide whose cells never wrap; control
    characters in cells are escaped first, so that the widths count them."""
    rows = [[printable_cell(cell) for cell in row] for row in rows]
    natural = [
        max([cell_len(col.header), *(_cell_width(row[i]) for row in rows)])
        for i, col in enumerate(columns)
    ]
    fixed = sum(w for w, col in zip(natural, columns, strict=True) if not col.flex)
    room = width - fixed - _SEPARATOR * (len(columns) - 1)
    flexible = [i for i, col in enumerate(columns) if col.flex]
    widths = list(natural)
    if sum(natural[i] for i in flexible) > room:
        # Each flexible column keeps at least its header (every column stays readable);
        # what is left is shared by weight.
        floors = [min(natural[i], max(cell_len(columns[i].header), 4)) for i in flexible]
        extra = _water_fill(
            room - sum(floors),
            [natural[i] - floor for i, floor in zip(flexible, floors, strict=True)],
            [columns[i].flex for i in flexible],
        )
        for i, floor, more in zip(flexible, floors, extra, strict=True):
            widths[i] = floor + more
    table = Table(
        title=title,
        title_justify="left",
        box=_UNDERLINED,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for col, column_width in zip(columns, widths, strict=True):
        table.add_column(
            col.header,
            justify=col.justify,
            width=column_width,
            no_wrap=True,
            overflow="ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    return table


def _water_fill(room: int, needs: list[int], weights: list[int]) -> list[int]:
    """Split ``room`` by weight, never giving a column more than it needs: what a
    narrow column leaves goes to the wide ones."""
    shares = [0] * len(needs)
    pending = sorted(range(len(needs)), key=lambda i: needs[i] / weights[i])
    left = max(room, 0)
    while pending:
        weight = sum(weights[i] for i in pending)
        first = pending[0]
        fair = left * weights[first] // weight
        if needs[first] > fair:
            for i in pending:
                shares[i] = left * weights[i] // weight
            break
        shares[first] = needs[first]
        left -= needs[first]
        pending.pop(0)
    return shares


def _cell_width(cell: Any) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def _ordered_objectives(document: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Objectives depth first: each followed by those aligned to it, indented."""
    objectives = {o["id"]: o for o in document["objectives"]}
    shown: set[str] = set()

    def visit(objective: Mapping[str, Any], depth: int) -> Iterator[tuple[int, Mapping[str, Any]]]:
        if objective["id"] in shown:
            return
        shown.add(objective["id"])
        yield depth, objective
        for child in objective.get("aligned") or ():
            if child in objectives:
                yield from visit(objectives[child], depth + 1)

    for objective in document["objectives"]:
        if objective.get("aligns_to") not in objectives:
            yield from visit(objective, 0)
    for objective in document["objectives"]:  # a cycle of alignments has no root
        yield from visit(objective, 0)


# Units as a narrow table shows them: the header row says what the columns are.
_SHORT_UNITS = {
    "items": "",
    "points": "pts",
    "days": "d",
    "items/week": "/wk",
    "items/day": "/d",
    "items/sprint": "/sprint",
}


def results_table(document: Mapping[str, Any], title: str = "OKRs", width: int = 80) -> Table:
    """Objectives, each followed by its key results and the objectives aligned to it."""
    krs = {kr["id"]: kr for kr in document["key_results"]}
    narrow = width < _WIDE
    bar_width = 8 if narrow else 16

    def shown(value: float | None, unit: str) -> str:
        return rounded(value, _SHORT_UNITS.get(unit, unit) if narrow else unit)

    rows: list[list[Any]] = []
    for depth, objective in _ordered_objectives(document):
        score = objective.get("progress", objective.get("score"))
        name = Text(("  " * (depth - 1) + "↳ " if depth else "") + objective["id"], style="bold")
        rows.append(
            [
                name,
                "",
                "",
                _progress(score, objective.get("expected"), bar_width),
                percent(objective.get("expected")),
                status_text(objective["status"]),
                *([] if narrow else [""]),
            ]
        )
        for kr_id in objective["key_results"]:
            if kr_id not in krs:
                continue  # recorded before the KR was added
            kr = krs[kr_id]
            unit = kr.get("unit") or ""
            rows.append(
                [
                    _kr_name(kr, "  " * (depth + 1)),
                    shown(kr.get("value"), unit),
                    shown(kr.get("target"), unit),
                    _progress(kr.get("progress"), kr.get("expected"), bar_width),
                    percent(kr.get("expected")),
                    status_text(kr["status"]),
                    *([] if narrow else [forecast_cell(kr.get("forecast"), unit)]),
                ]
            )
    columns = [
        Col("objective / key result", flex=3),
        Col("value", "right"),  # numbers are never cut: names give way
        Col("target", "right"),
        Col("progress"),
        Col("expected", "right"),
        Col("status"),
        # Narrow, the forecasts are a line under the table instead (``legend_lines``).
        *([] if narrow else [Col("forecast", "right")]),
    ]
    return fitted_table(title, columns, rows, width)


def forecast_cell(forecast: Mapping[str, Any] | None, unit: str) -> Text:
    """The chance of reaching the target, coloured by the forecast status (the band
    for a KR without a target; ``explain`` and the report show both). A KR without a
    forecast shows a dash."""
    if not forecast or forecast.get("p50") is None:
        return Text("—", style="dim")
    chance = forecast.get("probability_of_target")
    if chance is None:
        return Text(forecast_band(forecast, _SHORT_UNITS.get(unit, unit)))
    return Text(f"{chance * 100:.0f}%", style=FORECAST_STYLES.get(forecast.get("status") or "", ""))


def _progress(progress: float | None, expected: float | None, width: int) -> Text:
    text = bar(progress, expected, width)
    text.append(f" {percent(progress):>6}")
    return text


def _kr_name(kr: Mapping[str, Any], indent: str) -> Text:
    """A KR's row label: its id, marked when overridden, stale or warned about."""
    name = Text(f"{indent}{kr['id']}")
    if kr.get("override"):
        name.append(" (override)", style="magenta")
    if kr.get("stale"):
        name.append(" (stale)", style="red")
    if kr.get("warnings"):
        name.append(f" ⚠{len(kr['warnings'])}", style="yellow")
    return name


def legend_lines(document: Mapping[str, Any], command_hint: str, width: int = 80) -> list[str]:
    """What the bar's marks and the forecast column mean (narrow, the forecasts
    themselves), and how many warnings there are and where to read them: the table
    only counts them."""
    lines = [f"█ progress   {EXPECTED_MARK} expected by now (the elapsed share of the cycle)"]
    chances = [
        f"{kr['id']} {kr['forecast']['probability_of_target'] * 100:.0f}%"
        for kr in document["key_results"]
        if (kr.get("forecast") or {}).get("probability_of_target") is not None
    ]
    if chances and width >= _WIDE:
        lines.append("forecast: the chance of reaching the target by the cycle's end")
    elif chances:
        lines.append("chance of reaching the target by the cycle's end: " + ", ".join(chances))
    warned = [kr for kr in document["key_results"] if kr.get("warnings")]
    if warned:
        count = sum(len(kr["warnings"]) for kr in warned)
        lines.append(
            f"⚠ {plural(count, 'warning')} on {plural(len(warned), 'key result')}: "
            f"'{command_hint}' shows them"
        )
    return lines


def short(value: Any, width: int = 40) -> str:
    """One line of at most ``width`` characters: the first line of a text, cut with an
    ellipsis."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "{…}" if value else "{}"
    text = str(value)
    first, _, rest = text.partition("\n")
    if rest:
        first += " …"
    return first if len(first) <= width else first[: width - 1] + "…"


def writes_table(entries: Iterable[Mapping[str, Any]], title: str, width: int = 80) -> Table:
    rows = [
        [
            entry["kr"],
            f"{entry['to']} {entry['target']}",
            entry["what"] + (f" {entry['field']}" if entry.get("field") else ""),
            short(entry.get("old")),
            short(entry.get("new")),
        ]
        for entry in entries
    ]
    columns = [
        Col("key result", flex=3),
        Col("target"),
        Col("what", flex=2),
        Col("old", flex=2),
        Col("new", flex=2),
    ]
    return fitted_table(title, columns, rows, width)


def relative(location: str) -> str:
    """``FILE:LINE:COL`` with FILE relative to the working directory when it is
    inside it: the path people type."""
    parts = location.rsplit(":", 2)
    if len(parts) != 3:
        return location
    path = Path(parts[0])
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        parts[0] = str(path.relative_to(Path.cwd()))
    return ":".join(parts)


def stale_lines(document: Mapping[str, Any]) -> list[str]:
    """One line per KR whose value is its last good one: the run since failed it."""
    lines = []
    for kr in document["key_results"]:
        failure = kr.get("failure")
        if kr.get("stale") and failure:
            lines.append(
                f"stale: {kr['id']} shows its last good value; run {failure.get('run')} "
                f"failed it at {relative(str(failure.get('where')))}: {failure.get('error')}"
            )
    return lines


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


def history_table(
    points: Iterable[Mapping[str, Any]], tz: ZoneInfo, title: str, width: int = 80
) -> Table:
    rows = []
    for point in points:
        override = point.get("override")
        rows.append(
            [
                short_instant(point["as_of"], tz),
                rounded(point.get("value"), point.get("unit") or ""),
                percent(point.get("progress")),
                percent(point.get("expected")),
                status_text(point["status"]),
                "back-filled" if point.get("backfilled") else "run",
                f"override: {override.get('reason', '')}" if override else "",
            ]
        )
    columns = [
        Col(f"as of ({zone_name(tz)})"),
        Col("value", "right"),
        Col("progress", "right"),
        Col("expected", "right"),
        Col("status"),
        Col("source"),
        Col("note", flex=1),
    ]
    return fitted_table(title, columns, rows, width)


def backfill_table(
    rows: Iterable[Mapping[str, Any]], title: str, tz: ZoneInfo, width: int = 80
) -> Table:
    """KR → the daily points a back-fill recorded."""
    cells = [
        [
            row["kr"],
            str(row["points"]),
            short_instant(row.get("first"), tz),
            rounded(row.get("value"), row.get("unit") or ""),
            row.get("note", ""),
        ]
        for row in rows
    ]
    columns = [
        Col("key result", flex=1),
        Col("points", "right"),
        Col(f"from ({zone_name(tz)})"),
        Col("last value", "right"),
        Col("note", flex=2),
    ]
    return fitted_table(title, columns, cells, width)


def runs_table(rows: Iterable[Mapping[str, Any]], title: str, tz: ZoneInfo, width: int) -> Table:
    """Recent runs: what each did and the first error of a failed one. The instant a
    run evaluated is shown when there is room for it or it differs from its start."""
    rows = list(rows)
    zone = zone_name(tz)
    show_as_of = width >= _WIDE or any(
        short_instant(r["as_of"], tz) != short_instant(r["started_at"], tz) for r in rows
    )
    columns = [Col("run", "right"), Col("command"), Col(f"started ({zone})")]
    if show_as_of:
        columns.append(Col(f"as of ({zone})"))
    columns += [Col("status"), Col("did", flex=3), Col("error", flex=2)]
    cells = []
    for row in rows:
        cell: list[Any] = [str(row["id"]), row["command"], short_instant(row["started_at"], tz)]
        if show_as_of:
            cell.append(short_instant(row["as_of"], tz))
        cell += [
            Text(row["status"], style=STATUS_STYLES.get(row["status"], "")),
            row["did"],
            short(row.get("error") or "", 500),
        ]
        cells.append(cell)
    return fitted_table(title, columns, cells, width)
