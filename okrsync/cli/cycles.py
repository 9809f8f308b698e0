"""``okrsync close CYCLE`` and ``okrsync next-cycle FILE --cycle C``: ending a cycle
with its final results kept, and starting the next one from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from okrsync.cli.app import JsonOption, command
from okrsync.cli.shell import handle_errors, load, open_store, out, print_json
from okrsync.cli.tables import Col, fitted_table, instant_label
from okrsync.closing import close_cycle, cycle_of, reopen_cycle
from okrsync.errors import ConfigError
from okrsync.mapping.cycle import Cycle
from okrsync.next_cycle import closed_cycle_of, next_cycle_text
from okrsync.summary import number, percent, plural, status_word


def parse_notes(notes: list[str]) -> dict[str, str]:
    """``KR=TEXT`` pairs by KR id."""
    parsed: dict[str, str] = {}
    for note in notes:
        kr_id, sep, text = note.partition("=")
        if not sep or not kr_id.strip() or not text.strip():
            raise ConfigError(f"--note {note!r} is not KR=TEXT: write --note ship-one-click='why'")
        parsed[kr_id.strip()] = text.strip()
    return parsed


@command(takes_json=True)
def close(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="the cycle to close, e.g. 2027-Q1")],
    note: Annotated[
        list[str] | None,
        typer.Option("--note", metavar="KR=TEXT", help="why a KR was or was not reached"),
    ] = None,
    reopen: Annotated[
        bool, typer.Option("--reopen", help="re-open a closed cycle (recorded)")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Freeze a cycle's final results, with the team's notes; reads the store only."""
    with handle_errors(ctx):
        project = load(ctx)
        notes = parse_notes(note or [])
        if reopen and notes:
            raise ConfigError("--note goes with closing a cycle, not with --reopen")
        cycle_of(project, cycle)
        store = open_store(project)
        now = datetime.now(UTC)
        if reopen:
            record = reopen_cycle(store, cycle, now)
        else:
            record = close_cycle(project, store, cycle, notes, now)
        document = {
            "cycle": record.cycle,
            "action": record.action,
            "at": record.at.isoformat(),
            "as_of": record.as_of.isoformat(),
            **{k: v for k, v in record.results.items() if k != "mappings"},
            "notes": record.notes,
        }
        if as_json:
            print_json(document)
        elif reopen:
            out.print(f"re-opened {cycle}: its final results are kept until it is closed again")
        else:
            tz = project.timezone
            out.print(f"closed {cycle} with its results as of {instant_label(record.as_of, tz)}")
            for line in final_lines(document):
                out.print(line, highlight=False)


def final_lines(document: dict[str, Any]) -> list[str]:
    lines = []
    for kr in document.get("key_results", []):
        value = number(kr.get("value"), kr.get("unit") or "")
        line = f"  {kr['id']}: {value}, score {percent(kr.get('progress'))}"
        note = document.get("notes", {}).get(kr["id"])
        lines.append(line + (f" — {note}" if note else ""))
    for objective in document.get("objectives", []):
        score, status = percent(objective.get("progress")), status_word(objective["status"])
        lines.append(f"  objective {objective['id']}: {score} ({status})")
    return lines


@command("next-cycle")
def next_cycle(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the closed cycle's mapping file")],
    cycle: Annotated[str, typer.Option("--cycle", metavar="CYCLE", help="e.g. 2027-Q2")],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="where to write it (default: beside FILE)"),
    ] = None,
) -> None:
    """Write the next cycle's mapping file from a closed one."""
    with handle_errors(ctx):
        project = load(ctx)
        store = open_store(project)
        own = _cycle_of_file(project, file)
        closed = closed_cycle_of(own, store.closed_cycles())
        closure = store.closed_cycles().get(closed)
        if closure is None:
            raise ConfigError(
                f"{file} is of cycle {closed}, which is not closed: run 'okrsync close "
                f"{closed}' first, so that its final values are kept"
            )
        target = out_file or file.with_name(f"{file.stem.replace(own.label, cycle)}.yaml")
        if target.resolve() == file.resolve() or target.exists():
            raise ConfigError(f"{target} exists already: name another file with --out")
        text, carried = next_cycle_text(file, closure, cycle)
        target.write_text(text, encoding="utf-8")
        out.print(f"wrote {target} for {cycle}: {plural(len(carried), 'KR')} carried over")
        out.print(
            f"move {file} out of the mappings before the next sync: {closed} is closed and "
            "its final results stay in the store"
        )


def closure_lines(closed: list[dict[str, Any]], kr_id: str | None = None) -> list[str]:
    """Each closed cycle and what drifted since its close (of one KR, or all)."""
    lines = []
    for closure in closed:
        finals = {kr["id"]: kr for kr in closure["key_results"]}
        if kr_id is not None and kr_id not in finals:
            continue
        head = f"{closure['cycle']} closed {closure['closed_at'][:10]}"
        if kr_id is not None:
            final = finals[kr_id]
            head += f": final value {number(final['value'], final.get('unit') or '')}"
            note = closure["notes"].get(kr_id)
            head += f" — {note}" if note else ""
        moved = [d for d in closure["drift"] if kr_id is None or d["id"] == kr_id]
        if moved:
            head += "; drift since: " + ", ".join(
                f"{d['id']} {number(d['final'], d['unit'])} → {number(d['now'], d['unit'])}"
                for d in moved
            )
        elif kr_id is None:
            head += "; no drift since"
        lines.append(head)
    return lines


@command(takes_json=True)
def insights(
    ctx: typer.Context,
    cycles: Annotated[
        int | None,
        typer.Option("--cycles", metavar="N", min=1, help="the last N closed cycles only"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """How well the team estimates, across closed cycles; reads the store only."""
    from okrsync.insights import insights as gather

    with handle_errors(ctx):
        project = load(ctx)
        store = open_store(project)
        document = gather(project, store, cycles)
        if not document["cycles"]:
            raise ConfigError("no cycle is closed yet: close one with 'okrsync close CYCLE'")
        if as_json:
            print_json(document)
            return
        out.print(insights_table(document, out.width))
        out.print(calibration_table(document, out.width))
        out.print(
            "bias: (final − target) / (target − baseline), below 0 over-committing; "
            "band held: the final value within the forecast's P15–P85 (about 70% is "
            "well calibrated)",
            highlight=False,
        )


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f}%"


def insights_table(document: dict[str, Any], width: int) -> Any:
    rows = []
    for group in document["groups"]:
        score = group["score"] or {}
        spread = (
            "—"
            if not score
            else f"{score['mean'] * 100:.0f}% ({score['min'] * 100:.0f}–{score['max'] * 100:.0f})"
        )
        held = group["band_hit_rate"]
        rows.append(
            [
                group["team"],
                group["kind"],
                str(group["key_results"]),
                spread,
                _share(group["bias"]),
                "—" if held is None else f"{held * 100:.0f}% of {group['forecasts']}",
                number(group["scope_added"]),
            ]
        )
    columns = [
        Col("team", flex=1),
        Col("kind"),
        Col("KRs", "right"),
        Col("score (min–max)", "right"),
        Col("bias", "right"),
        Col("band held", "right"),
        Col("scope added", "right"),
    ]
    title = f"insights over {plural(len(document['cycles']), 'closed cycle')}"
    return fitted_table(f"{title}: {', '.join(document['cycles'])}", columns, rows, width)


def calibration_table(document: dict[str, Any], width: int) -> Any:
    rows = [
        [
            f"week {week['week']}",
            str(week["forecasts"]),
            str(week["held"]),
            "—" if week["rate"] is None else f"{week['rate'] * 100:.0f}%",
        ]
        for week in document["calibration"]
    ]
    columns = [Col("forecast made"), Col("forecasts", "right"), Col("held", "right")]
    columns.append(Col("rate", "right"))
    return fitted_table("forecast calibration by week of cycle", columns, rows, width)


def _cycle_of_file(project: Any, file: Path) -> Cycle:
    wanted = file.resolve()
    for ref in project.key_results():
        if ref.doc.path is not None and Path(ref.doc.path).resolve() == wanted:
            return cast(Cycle, ref.cycle)
    raise ConfigError(f"{file} is not one of the loaded mapping files")
