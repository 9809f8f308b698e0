"""One key result's card: numbers, progress, override, warnings, trend and evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from okrsync.report._chart import forecast_band, trend_chart
from okrsync.report._parts import pill, progress_bar, progress_figures, status_class
from okrsync.report._plan import kr_cycles
from okrsync.report._text import esc, number, percent
from okrsync.summary import forecast_basis, forecast_line

# Enough rows to see what the value is made of; the rest is one click away in the tool.
EVIDENCE_ROWS = 25


def kr_card(
    kr: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    cycle: tuple[datetime, datetime] | None,
    as_of: datetime,
    zone: tzinfo,
) -> str:
    status = str(kr.get("status") or "no_data")
    title = esc(kr.get("title") or kr["id"])
    return "".join(
        [
            f'<article class="kr {status_class(status)}" id="kr-{esc(kr["id"])}">',
            '<header class="kr-head">',
            f'<h3 class="kr-title" title="{title}">{title}</h3>',
            pill(status),
            "</header>",
            _meta(kr),
            _numbers(kr),
            '<div class="progress-row">',
            progress_bar(kr.get("progress"), kr.get("expected"), status),
            progress_figures(kr.get("progress"), kr.get("expected")),
            "</div>",
            kr_cycles(kr),
            _override(kr),
            _forecast(kr),
            _warnings(kr.get("warnings") or [], kr.get("warning_items") or []),
            '<figure class="trend">',
            trend_chart(kr, history, cycle, as_of, zone),
            _legend(kr, cycle, as_of),
            "</figure>",
            evidence_table(kr.get("evidence") or {}),
            "</article>",
        ]
    )


def downward(kr: Mapping[str, Any]) -> bool:
    target, baseline = kr.get("target"), kr.get("baseline")
    return target is not None and baseline is not None and target < baseline


def _meta(kr: Mapping[str, Any]) -> str:
    bits = [f"<code>{esc(kr['id'])}</code>"]
    bits += [esc(kr[name]) for name in ("kind", "measure") if kr.get(name)]
    if kr.get("weight") not in (None, 1, 1.0):
        bits.append(f"weight {esc(number(kr['weight']))}")
    if kr.get("stretch"):
        bits.append('<span class="tag stretch">stretch</span>')
    if downward(kr):
        bits.append('<span class="tag down">↓ lower is better</span>')
    return f'<p class="meta">{" · ".join(bits)}</p>'


def _numbers(kr: Mapping[str, Any]) -> str:
    unit = str(kr.get("unit") or "")
    value = kr.get("value")
    shown = (
        '<span class="value no-data">no data</span>'
        if value is None
        else f'<span class="value">{esc(number(value, unit))}</span>'
    )
    return (
        f'<div class="numbers">{shown}'
        f'<span class="range">from <b>{esc(number(kr.get("baseline"), unit))}</b> '
        f"to <b>{esc(number(kr.get('target'), unit))}</b></span></div>"
    )


def _override(kr: Mapping[str, Any]) -> str:
    override = kr.get("override")
    if not override:
        return ""
    computed = f"computed {percent(kr.get('computed_progress'))}"
    if kr.get("value") is not None:
        computed += f" · value {number(kr['value'], str(kr.get('unit') or ''))}"
    return (
        '<div class="override"><span class="badge">override</span> '
        f"<b>{esc(percent(override.get('value')))}</b> until {esc(override.get('until', '—'))}"
        f'<span class="computed">{esc(computed)}</span>'
        f'<q class="reason">{esc(override.get("reason", ""))}</q></div>'
    )


def _forecast(kr: Mapping[str, Any]) -> str:
    """Where the KR will land at the cycle's end, coloured by the forecast status, and
    what the forecast is based on."""
    forecast = kr.get("forecast")
    line = forecast_line(forecast, str(kr.get("unit") or ""))
    if forecast is None or line is None:
        return ""
    status = esc(forecast.get("status") or "none")
    basis = forecast_basis(forecast)
    how = f'<span class="how">{esc(basis)}</span>' if basis else ""
    return f'<div class="forecast forecast-{status}"><b>{esc(line)}</b>{how}</div>'


def item_anchor(text: str, url: Any) -> str:
    """``text`` escaped, as a link to the item's page when it has an http(s) one."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def _warnings(warnings: Sequence[str], named: Sequence[Sequence[Mapping[str, str]]]) -> str:
    """Each warning, followed by links to the items it names (``warning_items``)."""
    if not warnings:
        return ""
    rows = []
    for index, warning in enumerate(warnings):
        items = named[index] if index < len(named) else ()
        links = " ".join(
            item_anchor(f"{item.get('source', '')} {item.get('key', '')}".strip(), item.get("url"))
            for item in items
            if item.get("url")
        )
        shown = f' <span class="links">{links}</span>' if links else ""
        rows.append(f"<li>{esc(warning)}{shown}</li>")
    return f'<ul class="warnings">{"".join(rows)}</ul>'


def _legend(kr: Mapping[str, Any], cycle: tuple[datetime, datetime] | None, as_of: datetime) -> str:
    entries = [
        '<span class="swatch k-run"></span>recorded run ',
        '<span class="swatch k-backfill"></span>back-filled ',
        '<span class="swatch k-expected"></span>expected ',
        '<span class="swatch k-target"></span>target',
    ]
    if kr.get("cycles"):
        entries.append(' <span class="swatch k-cycle-target"></span>cycle target')
    if forecast_band(kr, cycle, as_of) is not None:
        entries.append(
            ' <span class="swatch k-forecast"></span>forecast P15–P85'
            ' <span class="swatch k-forecast-p50"></span>forecast P50'
        )
    return f'<figcaption class="legend">{"".join(entries)}</figcaption>'


def evidence_table(evidence: Mapping[str, Any]) -> str:
    items: Sequence[Mapping[str, Any]] = evidence.get("items") or []
    counts: Mapping[str, int] = evidence.get("counts") or {}
    done = sum(1 for item in items if item.get("done"))
    heading = (
        f"{len(items)} item{'' if len(items) == 1 else 's'}, {done} done" if items else "no items"
    )
    parts = [f'<details class="evidence"><summary>Evidence · {esc(heading)}</summary>']
    if counts:
        chips = "".join(
            f'<span class="count"><b>{esc(count)}</b> {esc(name.replace("_", " "))}</span>'
            for name, count in counts.items()
        )
        parts.append(f'<p class="counts">{chips}</p>')
    if items:
        parts.append(
            "<table><thead><tr><th>Item</th><th>Status</th><th>Done</th>"
            '<th class="num">Contributes</th><th>Note</th></tr></thead><tbody>'
        )
        # A KR over several sources says which each item comes from.
        sources = len({item.get("source") for item in items}) > 1
        parts += [_evidence_row(item, sources) for item in items[:EVIDENCE_ROWS]]
        parts.append("</tbody></table>")
        if len(items) > EVIDENCE_ROWS:
            parts.append(f'<p class="more">and {len(items) - EVIDENCE_ROWS} more</p>')
    parts.append("</details>")
    return "".join(parts)


def _evidence_row(item: Mapping[str, Any], source: bool = False) -> str:
    category = esc(item.get("status_category") or "")
    contributes = item.get("contributes")
    origin = f'<span class="source">{esc(item.get("source", ""))}</span> ' if source else ""
    key = item_anchor(str(item.get("key", "")), item.get("url"))
    return (
        f'<tr><td class="key">{origin}{key}</td>'
        f'<td class="state"><span class="cat cat-{category}"></span>'
        f"{esc(item.get('status', ''))}</td>"
        f'<td class="done">{"✓" if item.get("done") else "—"}</td>'
        f'<td class="num">{esc(number(contributes))}</td>'
        f'<td class="note">{esc(item.get("note", ""))}</td></tr>'
    )
