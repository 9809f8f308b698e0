"""The whole report: the header and overview, then each objective with its key results
and, nested under it, the objectives aligned to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from okrsync.report._closures import closed_cycles
from okrsync.report._insights import insights_section
from okrsync.report._key_result import kr_card
from okrsync.report._overview import header, overview, progress_of, status_of
from okrsync.report._parts import pill, progress_bar, progress_figures, status_class
from okrsync.report._plan import plan_arc
from okrsync.report._style import STYLE
from okrsync.report._text import esc, instant, number, percent, stamp
from okrsync.report._tree import Node, alignment_tree

_NO_KRS = '<p class="empty">No key results of its own: it scores the objectives aligned to it.</p>'


def render_report(
    document: Mapping[str, Any],
    histories: Mapping[str, Sequence[Mapping[str, Any]]],
    cycles: Mapping[str, tuple[datetime, datetime]],
    *,
    title: str = "OKRs",
    timezone: tzinfo | None = None,
) -> str:
    """The report as one self-contained HTML page.

    ``document`` is ``Evaluation.to_dict()`` (the ``plan --json`` shape); ``histories``
    maps a KR id to its recorded and back-filled points, ``cycles`` a KR id to its
    cycle's start and end. Dates show in ``timezone`` (the project's), UTC by default.
    """
    zone = timezone or UTC
    as_of = instant(document["as_of"]).astimezone(zone)
    objectives = list(document.get("objectives", []))
    krs = {str(kr["id"]): kr for kr in document.get("key_results", [])}
    tree = alignment_tree(objectives)
    page = _Sections(krs, histories, cycles, as_of, zone)
    body = [
        header(title, as_of, objectives, krs),
        overview(tree, krs),
        *(page.objective(node, 0) for node in tree),
        page.orphans(),
        closed_cycles(document.get("closed_cycles") or []),
        insights_section(document.get("insights")),
        f"<footer>Made by okrsync from the evaluation as of {esc(stamp(as_of))}.</footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · {esc(stamp(as_of))}</title>"
        f"<style>{STYLE}</style></head>"
        f'<body><main class="report">{"".join(body)}</main></body></html>\n'
    )


class _Sections:
    """Renders objective sections, remembering which KRs found a place."""

    def __init__(
        self,
        krs: Mapping[str, Mapping[str, Any]],
        histories: Mapping[str, Sequence[Mapping[str, Any]]],
        cycles: Mapping[str, tuple[datetime, datetime]],
        as_of: datetime,
        zone: tzinfo,
    ) -> None:
        self.krs, self.histories, self.cycles = krs, histories, cycles
        self.as_of, self.zone = as_of, zone
        self.shown: set[str] = set()

    def card(self, kr: Mapping[str, Any]) -> str:
        kr_id = str(kr["id"])
        self.shown.add(kr_id)
        history = self.histories.get(kr_id, [])
        return kr_card(kr, history, self.cycles.get(kr_id), self.as_of, self.zone)

    def objective(self, node: Node, depth: int) -> str:
        objective = node.objective
        status, progress = status_of(objective), progress_of(objective)
        expected = objective.get("expected")
        krs = [self.krs[k] for k in objective.get("key_results", []) if k in self.krs]
        cards = "".join(self.card(kr) for kr in krs) if krs else _NO_KRS
        children = "".join(self.objective(child, depth + 1) for child in node.children)
        if children:
            children = f'<div class="aligned">{children}</div>'
        return (
            f'<section class="objective {status_class(status)} depth-{min(depth, 4)}" '
            f'id="obj-{esc(objective["id"])}">'
            '<div class="obj-head"><div class="obj-titles">'
            f"<h2>{esc(objective.get('title') or objective['id'])}</h2>"
            f"{_meta(objective)}</div>"
            f'<div class="obj-score"><span class="score">{esc(percent(progress))}</span>'
            f"{pill(status)}</div></div>"
            '<div class="progress-row">'
            f"{progress_bar(progress, expected, status)}{progress_figures(progress, expected)}"
            f'</div>{plan_arc(objective)}<div class="kr-grid">{cards}</div>{children}</section>'
        )

    def orphans(self) -> str:
        """Key results no objective in the document lists (none, normally): shown rather
        than silently dropped."""
        rest = [kr for kr_id, kr in self.krs.items() if kr_id not in self.shown]
        if not rest:
            return ""
        cards = "".join(self.card(kr) for kr in rest)
        return (
            '<section class="objective status-no_data depth-0" id="obj-none">'
            '<div class="obj-head"><div class="obj-titles"><h2>Key results without an objective '
            "in this report</h2></div></div>"
            f'<div class="kr-grid">{cards}</div></section>'
        )


def _meta(objective: Mapping[str, Any]) -> str:
    bits = [f"<code>{esc(objective['id'])}</code>"]
    if objective.get("cycle"):
        bits.append(esc(objective["cycle"]))
    if objective.get("weight") not in (None, 1, 1.0):
        bits.append(f"weight {esc(number(objective['weight']))}")
    return f'<p class="meta">{" · ".join(bits)}</p>'
