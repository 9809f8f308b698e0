"""The top of the page: title, as-of time, KR counts by status, and the alignment tree
at a glance (what a review looks at first)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from okrsync.report._parts import pill, progress_bar, status_class
from okrsync.report._text import esc, percent, stamp, status_word
from okrsync.report._tree import Node, walk

STATUS_ORDER = ("on_track", "at_risk", "off_track", "not_started", "closed", "no_data")


def status_of(result: Mapping[str, Any]) -> str:
    return str(result.get("status") or "no_data")


def progress_of(objective: Mapping[str, Any]) -> float | None:
    progress = objective.get("progress")
    return objective.get("score") if progress is None else progress


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def header(
    title: str,
    as_of: datetime,
    objectives: Sequence[Mapping[str, Any]],
    krs: Mapping[str, Mapping[str, Any]],
) -> str:
    counts = Counter(status_of(kr) for kr in krs.values())
    ordered = [s for s in STATUS_ORDER if counts[s]] + sorted(set(counts) - set(STATUS_ORDER))
    chips = "".join(
        f'<span class="chip {status_class(status)}"><b>{counts[status]}</b> '
        f"{esc(status_word(status))}</span>"
        for status in ordered
    )
    cycles = sorted({str(o["cycle"]) for o in objectives if o.get("cycle")})
    when = f'<time datetime="{esc(as_of.isoformat())}">{esc(stamp(as_of))}</time>'
    cycle_text = f" · {esc(', '.join(cycles))}" if cycles else ""
    totals = f"{plural(len(objectives), 'objective')} · {plural(len(krs), 'key result')}"
    return (
        f'<header class="top"><div class="heading"><h1>{esc(title)}</h1>'
        f'<p class="asof">as of {when}{cycle_text}</p></div>'
        f'<div class="summary"><p class="totals">{totals}</p>'
        f'<div class="chips">{chips}</div></div></header>'
    )


def overview(tree: Sequence[Node], krs: Mapping[str, Mapping[str, Any]]) -> str:
    rows = [_row(node.objective, depth, krs) for node, depth in walk(tree)]
    if not rows:
        return '<p class="empty">No objectives in this evaluation.</p>'
    return (
        '<section class="overview"><h2 class="section-title">At a glance</h2>'
        "<table><thead><tr><th>Objective</th><th>Key results</th><th>Progress vs expected</th>"
        '<th class="num">Score</th><th>Status</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _row(objective: Mapping[str, Any], depth: int, krs: Mapping[str, Mapping[str, Any]]) -> str:
    status = status_of(objective)
    progress = progress_of(objective)
    dots = "".join(
        f'<span class="dot {status_class(status_of(krs[k]))}" '
        f'title="{esc(krs[k].get("title") or k)}"></span>'
        for k in objective.get("key_results", [])
        if k in krs
    )
    name = esc(objective.get("title") or objective["id"])
    return (
        f'<tr class="{status_class(status)}">'
        f'<td class="name" style="padding-left:{0.6 + 1.6 * depth:.1f}rem">'
        f'<a href="#obj-{esc(objective["id"])}">{name}</a></td>'
        f'<td class="dots">{dots}</td>'
        f'<td class="bar-cell">{progress_bar(progress, objective.get("expected"), status)}</td>'
        f'<td class="num">{esc(percent(progress))}</td>'
        f"<td>{pill(status)}</td></tr>"
    )
