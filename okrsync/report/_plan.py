"""A plan's arc: an objective's cycles side by side with its score across the plan, and
on each KR card the target and score of each cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from okrsync.report._parts import pill, status_class
from okrsync.report._text import esc, number, percent


def plan_arc(objective: Mapping[str, Any]) -> str:
    """The objective's score per cycle, then across the plan; nothing for one cycle."""
    cycles: Sequence[Mapping[str, Any]] = objective.get("cycles") or ()
    if not cycles:
        return ""
    cells = [_cell(str(c["cycle"]), c.get("score"), str(c.get("status") or "")) for c in cycles]
    plan = _cell(
        f"plan {objective.get('cycle') or ''}".strip(),
        objective.get("score"),
        str(objective.get("status") or ""),
        whole=True,
    )
    return f'<div class="plan-arc" aria-label="score per cycle">{"".join(cells)}{plan}</div>'


def _cell(label: str, score: float | None, status: str, *, whole: bool = False) -> str:
    kind = "arc-plan" if whole else "arc-cycle"
    return (
        f'<div class="{kind} {status_class(status)}"><span class="arc-label">{esc(label)}</span>'
        f'<span class="arc-score">{esc(percent(score))}</span>{pill(status)}</div>'
    )


def kr_cycles(kr: Mapping[str, Any]) -> str:
    """``2027-Q1 6 of 6.96 items · 86% on track`` for each of a plan KR's cycles (the
    unit written once, but for percentages)."""
    cycles: Sequence[Mapping[str, Any]] = kr.get("cycles") or ()
    if not cycles:
        return ""
    unit = str(kr.get("unit") or "")
    rows = []
    for entry in cycles:
        shown_unit = unit if unit == "%" else ""
        value = "—" if entry.get("value") is None else number(entry["value"], shown_unit)
        rows.append(
            f'<li class="{status_class(str(entry.get("status") or ""))}" '
            f'data-cycle="{esc(entry["cycle"])}"><b>{esc(entry["cycle"])}</b> '
            f"{esc(value)} of {esc(number(entry.get('target'), unit))} · "
            f"{esc(percent(entry.get('score')))} {pill(str(entry.get('status') or ''))}</li>"
        )
    return f'<ul class="kr-cycles">{"".join(rows)}</ul>'
