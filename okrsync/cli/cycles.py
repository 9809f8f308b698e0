"""``okrsync close CYCLE`` and ``okrsync next-cycle FILE --cycle C``: ending a cycle
with its final results kept, and starting the next one from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from okrsync.cli.app import JsonOption, command
from okrsync.cli.shell import handle_errors, load, open_store, out, print_json
from okrsync.cli.tables import instant_label
from okrsync.closing import close_cycle, cycle_of, reopen_cycle
from okrsync.errors import ConfigError
from okrsync.next_cycle import next_cycle_text
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
            **record.results,
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
        closed = _closed_cycle_of(project, file)
        closure = store.closed_cycles().get(closed)
        if closure is None:
            raise ConfigError(
                f"{file} is of cycle {closed}, which is not closed: run 'okrsync close "
                f"{closed}' first, so that its final values are kept"
            )
        target = out_file or file.with_name(f"{file.stem.replace(closed, cycle)}.yaml")
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


def _closed_cycle_of(project: Any, file: Path) -> str:
    wanted = file.resolve()
    for ref in project.key_results():
        if ref.doc.path is not None and Path(ref.doc.path).resolve() == wanted:
            return str(ref.cycle.label)
    raise ConfigError(f"{file} is not one of the loaded mapping files")
