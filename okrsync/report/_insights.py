"""The insights section: how well the team estimates across closed cycles, with the
calibration curve (how often the forecast band held, by week of cycle, against the 70%
a calibrated band holds) and the bias of the targets cycle by cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from okrsync.report._text import esc

_W, _H, _PAD = 320, 120, 24
CALIBRATED = 0.7  # the share of final values a P15–P85 band holds when calibrated


def insights_section(document: Mapping[str, Any] | None) -> str:
    if not document or not document.get("cycles"):
        return ""
    rows = "".join(_group_row(group) for group in document.get("groups", []))
    return (
        '<section class="insights" id="insights"><h2>How well we estimate</h2>'
        f'<p class="meta">over {len(document["cycles"])} closed cycles: '
        f"{esc(', '.join(document['cycles']))}</p>"
        "<table><thead><tr><th>Team</th><th>Kind</th><th class=num>KRs</th>"
        "<th class=num>Mean score</th><th class=num>Bias</th><th class=num>Band held</th>"
        f"<th class=num>Scope added</th></tr></thead><tbody>{rows}</tbody></table>"
        '<div class="insight-charts">'
        f"{calibration_chart(document.get('calibration', []))}"
        f"{bias_chart(document.get('by_cycle', []))}</div></section>"
    )


def _share(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"


def _group_row(group: Mapping[str, Any]) -> str:
    score = (group.get("score") or {}).get("mean")
    added = group.get("scope_added")
    return (
        f"<tr><td>{esc(group['team'])}</td><td>{esc(group['kind'])}</td>"
        f'<td class="num">{group["key_results"]}</td><td class="num">{_share(score)}</td>'
        f'<td class="num">{_share(group.get("bias"), signed=True)}</td>'
        f'<td class="num">{_share(group.get("band_hit_rate"))}</td>'
        f'<td class="num">{"—" if added is None else f"{added:g}"}</td></tr>'
    )


def _y(share: float, low: float, high: float) -> float:
    return _H - _PAD - (share - low) / (high - low) * (_H - 2 * _PAD)


def calibration_chart(weeks: Sequence[Mapping[str, Any]]) -> str:
    """The share of bands that held, by week of cycle; the calibrated 70% dashed."""
    points = [(w["week"], w["rate"]) for w in weeks if w.get("rate") is not None]
    if not points:
        return ""
    last = max(week for week, _ in points)
    step = (_W - 2 * _PAD) / max(last, 1)
    line = " ".join(f"{_PAD + week * step:.1f},{_y(rate, 0, 1):.1f}" for week, rate in points)
    dots = "".join(
        f'<circle class="cal" cx="{_PAD + w * step:.1f}" cy="{_y(r, 0, 1):.1f}" r="3">'
        f"<title>week {w}: {_share(r)}</title></circle>"
        for w, r in points
    )
    calibrated = _y(CALIBRATED, 0, 1)
    return (
        f'<figure class="calibration"><svg viewBox="0 0 {_W} {_H}" role="img" '
        'aria-label="forecast band held, by week of cycle">'
        f'<line class="calibrated" x1="{_PAD}" x2="{_W - _PAD}" y1="{calibrated:.1f}" '
        f'y2="{calibrated:.1f}"/><polyline class="cal" points="{line}"/>{dots}</svg>'
        "<figcaption>band held, by week of cycle (dashed: 70%, calibrated)</figcaption>"
        "</figure>"
    )


def bias_chart(cycles: Sequence[Mapping[str, Any]]) -> str:
    """The targets' bias cycle by cycle, as bars above or below 0."""
    shown = [(c["cycle"], c["bias"]) for c in cycles if c.get("bias") is not None]
    if not shown:
        return ""
    reach = max(1.0, *(abs(b) for _, b in shown))
    width = (_W - 2 * _PAD) / len(shown)
    zero = _y(0, -reach, reach)
    bars = "".join(
        f'<rect class="bias {"over" if b < 0 else "under"}" x="{_PAD + n * width + 2:.1f}" '
        f'y="{min(zero, _y(b, -reach, reach)):.1f}" width="{width - 4:.1f}" '
        f'height="{abs(_y(b, -reach, reach) - zero):.1f}"><title>{esc(cycle)}: '
        f"{_share(b, signed=True)}</title></rect>"
        for n, (cycle, b) in enumerate(shown)
    )
    return (
        f'<figure class="bias-chart"><svg viewBox="0 0 {_W} {_H}" role="img" '
        'aria-label="bias of the targets, cycle by cycle">'
        f'<line class="zero" x1="{_PAD}" x2="{_W - _PAD}" y1="{zero:.1f}" y2="{zero:.1f}"/>'
        f"{bars}</svg><figcaption>bias of the targets by cycle (below 0: over-committing)"
        "</figcaption></figure>"
    )
