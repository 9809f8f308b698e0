"""The closed cycles: each KR's final result as frozen at the close, the team's note,
and what drifted since (a re-opened item changes the value now, never the final one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from okrsync.report._text import esc, number, percent, status_word


def closed_cycles(closures: Sequence[Mapping[str, Any]]) -> str:
    if not closures:
        return ""
    return "".join(_closure(closure) for closure in closures)


def _closure(closure: Mapping[str, Any]) -> str:
    drift = {d["id"]: d for d in closure.get("drift", [])}
    notes: Mapping[str, str] = closure.get("notes", {})
    rows = []
    for kr in closure.get("key_results", []):
        unit = str(kr.get("unit") or "")
        moved = drift.get(kr["id"])
        now = "—" if moved is None else number(moved["now"], unit)
        rows.append(
            f'<tr{" class=drifted" if moved else ""}><td class="key">{esc(kr["id"])}</td>'
            f'<td class="num">{esc(number(kr.get("value"), unit))}</td>'
            f'<td class="num">{esc(percent(kr.get("progress")))}</td>'
            f'<td class="num">{esc(now)}</td>'
            f'<td class="note">{esc(notes.get(kr["id"], ""))}</td></tr>'
        )
    objectives = ", ".join(
        f"{o['id']} {percent(o.get('progress'))} ({status_word(str(o.get('status')))})"
        for o in closure.get("objectives", [])
    )
    return (
        f'<section class="closed-cycle" id="closed-{esc(closure["cycle"])}">'
        f"<h2>{esc(closure['cycle'])} · closed {esc(closure['closed_at'][:10])}</h2>"
        f'<p class="meta">final results as of {esc(closure["as_of"][:16])} UTC'
        f"{' · ' + esc(objectives) if objectives else ''}</p>"
        "<table><thead><tr><th>Key result</th><th class=num>Final</th>"
        "<th class=num>Score</th><th class=num>Now (drift)</th><th>Note</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
