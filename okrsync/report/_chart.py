"""One KR's trend as inline SVG: its value over the cycle against the expected line
(baseline to target, linear over the cycle), the target, and the as-of instant; the
forecast from now to the cycle's end (its P15-P85 band and its P50 line); and in a plan
of several cycles, where each cycle ends and the target it is scored against.

Recorded runs are filled dots and back-filled points hollow ones, so a reader can tell
what a sync actually saw from what okrsync reconstructed afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from okrsync.report._axes import date_ticks, value_range, value_ticks
from okrsync.report._text import esc, instant, number, short_date

WIDTH, HEIGHT = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 96, 28, 36


@dataclass(frozen=True)
class Point:
    moment: datetime
    value: float | None
    backfilled: bool
    current: bool = False


@dataclass(frozen=True)
class Frame:
    """Maps times and values onto the plot area."""

    start: datetime
    end: datetime
    low: float
    high: float
    integral: bool = False  # every value is a whole number

    def x(self, moment: datetime) -> float:
        share = (moment - self.start) / (self.end - self.start)
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)


def series(
    kr: Mapping[str, Any], history: Sequence[Mapping[str, Any]], as_of: datetime
) -> list[Point]:
    """History up to the report's instant in time order, plus the report's own value
    when it is newer than the last recorded point (a report made between syncs still
    shows today's number). A report never plots what came after its instant."""
    points = sorted(
        (
            Point(instant(p["as_of"]), _number(p.get("value")), bool(p.get("backfilled")))
            for p in history
            if instant(p["as_of"]) <= as_of
        ),
        key=lambda point: point.moment,
    )
    value = _number(kr.get("value"))
    if points and points[-1].moment >= as_of:
        last = points[-1]
        points[-1] = Point(last.moment, last.value, last.backfilled, current=True)
    elif value is not None:
        points.append(Point(as_of, value, backfilled=False, current=True))
    return points


def segments(points: Sequence[Point]) -> list[list[Point]]:
    """Runs of points with a value: a gap (no value) breaks the line."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point.value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def trend_chart(
    kr: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    cycle: tuple[datetime, datetime] | None,
    as_of: datetime,
    zone: tzinfo,
) -> str:
    points = series(kr, history, as_of)
    valued = [p for p in points if p.value is not None]
    if not valued:
        return (
            '<div class="no-history">No history yet: the chart fills in as okrsync records '
            "runs.</div>"
        )
    frame = _frame(kr, valued, cycle, as_of, zone)
    unit = str(kr.get("unit") or "")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{esc(_caption(kr, valued, unit))}">',
        *_value_axis(frame, unit),
        *_time_axis(frame),
        *_plan_lines(kr, frame, cycle, unit),
        *_cycle_marks(kr, frame, zone, unit),
        *_forecast_lines(kr, frame, cycle, as_of, unit),
        *_today(frame, as_of),
        *_value_lines(points, frame, unit, str(kr.get("status") or "")),
        "</svg>",
    ]
    if len(valued) == 1:
        parts.append('<p class="chart-note">No history yet: only this run\'s value.</p>')
    return "".join(parts)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _frame(
    kr: Mapping[str, Any],
    points: Sequence[Point],
    cycle: tuple[datetime, datetime] | None,
    as_of: datetime,
    zone: tzinfo,
) -> Frame:
    moments = [p.moment for p in points]
    start, end = (instant(cycle[0]), instant(cycle[1])) if cycle else (as_of, as_of)
    # Points recorded outside the cycle still belong on the chart.
    start, end = min(start, *moments), max(end, *moments)
    if end <= start:
        start, end = start - timedelta(days=1), end + timedelta(days=1)
    bounds = [p.value for p in points if p.value is not None]
    bounds += [float(v) for v in (kr.get("baseline"), kr.get("target")) if v is not None]
    bounds += [c["target"] for c in kr.get("cycles") or () if c.get("target") is not None]
    band = forecast_band(kr, cycle, as_of)
    if band is not None:
        bounds += [band.p15, band.p85]
    low, high = value_range(bounds)
    integral = all(float(v).is_integer() for v in bounds)
    return Frame(start.astimezone(zone), end.astimezone(zone), low, high, integral)


def _caption(kr: Mapping[str, Any], points: Sequence[Point], unit: str) -> str:
    last = points[-1]
    return (
        f"Trend of {kr.get('title', kr.get('id', ''))}: {number(last.value, unit)} "
        f"on {short_date(last.moment)}"
    )


def _tick_label(value: float, unit: str) -> str:
    """Short labels: the unit is written once above the axis, big numbers abbreviated."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            return number(value / size) + suffix
    return number(value, "%" if unit == "%" else "")


def _value_axis(frame: Frame, unit: str) -> list[str]:
    parts = []
    for tick in value_ticks(frame.low, frame.high, integral=frame.integral):
        y = frame.y(tick)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{esc(_tick_label(tick, unit))}</text>"
        )
    if unit and unit != "%":
        parts.append(f'<text class="axis-unit" x="2" y="14">{esc(unit)}</text>')
    return parts


def _time_axis(frame: Frame) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = [f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>']
    for tick in date_ticks(frame.start, frame.end):
        x = frame.x(tick)
        parts.append(
            f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 5}"/>'
            f'<text class="tick" x="{x:.1f}" y="{base + 20}" text-anchor="middle">'
            f"{esc(short_date(tick))}</text>"
        )
    return parts


def _plan_lines(
    kr: Mapping[str, Any], frame: Frame, cycle: tuple[datetime, datetime] | None, unit: str
) -> list[str]:
    target, baseline = _number(kr.get("target")), _number(kr.get("baseline"))
    if target is None:
        return []
    parts = []
    if cycle is not None and baseline is not None:
        start, end = instant(cycle[0]), instant(cycle[1])
        parts.append(
            f'<polyline class="expected" points="{frame.x(start):.1f},{frame.y(baseline):.1f} '
            f'{frame.x(end):.1f},{frame.y(target):.1f}"/>'
        )
    y = frame.y(target)
    parts.append(
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        f'<text class="target-label" x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}">'
        f"target {esc(_tick_label(target, unit))}</text>"
    )
    return parts


@dataclass(frozen=True)
class Band:
    """The forecast drawn on the chart: from the value now to the P15, P50 and P85 at
    the cycle's end."""

    start: datetime
    value: float
    end: datetime
    p15: float
    p50: float
    p85: float


def forecast_band(
    kr: Mapping[str, Any], cycle: tuple[datetime, datetime] | None, as_of: datetime
) -> Band | None:
    """The KR's forecast band, when it has a forecast with numbers, a value now and a
    cycle that has not ended."""
    forecast = kr.get("forecast") or {}
    value = _number(kr.get("value"))
    ends = [_number(forecast.get(key)) for key in ("p15", "p50", "p85")]
    if cycle is None or value is None or None in ends:
        return None
    end = instant(cycle[1])
    if end <= as_of:
        return None
    p15, p50, p85 = (float(v or 0.0) for v in ends)
    return Band(as_of, value, end, min(p15, p85), p50, max(p15, p85))


def _forecast_lines(
    kr: Mapping[str, Any],
    frame: Frame,
    cycle: tuple[datetime, datetime] | None,
    as_of: datetime,
    unit: str,
) -> list[str]:
    band = forecast_band(kr, cycle, as_of)
    if band is None:
        return []
    x0, y0, x1 = frame.x(band.start), frame.y(band.value), frame.x(band.end)
    label = (
        f"forecast at the cycle's end: P15 {number(band.p15, unit)}, "
        f"P50 {number(band.p50, unit)}, P85 {number(band.p85, unit)}"
    )
    return [
        f'<polygon class="forecast-band" points="{x0:.1f},{y0:.1f} '
        f'{x1:.1f},{frame.y(band.p85):.1f} {x1:.1f},{frame.y(band.p15):.1f}">'
        f"<title>{esc(label)}</title></polygon>",
        f'<polyline class="forecast-p50" points="{x0:.1f},{y0:.1f} '
        f'{x1:.1f},{frame.y(band.p50):.1f}"/>',
    ]


def cycle_end(last_day: str, zone: tzinfo) -> datetime:
    """The instant a plan's cycle ends: midnight after its last day, in ``zone``."""
    return datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), time(), zone)


def _cycle_marks(kr: Mapping[str, Any], frame: Frame, zone: tzinfo, unit: str) -> list[str]:
    """In a plan: a line where each cycle gives way to the next, and each cycle's target
    drawn across that cycle."""
    cycles: Sequence[Mapping[str, Any]] = kr.get("cycles") or ()
    parts = []
    for index, entry in enumerate(cycles):
        start = datetime.combine(date.fromisoformat(entry["start"]), time(), zone)
        end = cycle_end(entry["end"], zone)
        x0, x1 = frame.x(max(start, frame.start)), frame.x(min(end, frame.end))
        if index < len(cycles) - 1 and frame.start < end < frame.end:
            parts.append(
                f'<line class="cycle-boundary" x1="{x1:.1f}" x2="{x1:.1f}" y1="{TOP}" '
                f'y2="{HEIGHT - BOTTOM}"/>'
            )
        target = entry.get("target")
        if target is not None and x1 > x0:
            y = frame.y(float(target))
            title = f"{entry['cycle']} target {number(float(target), unit)}"
            parts.append(
                f'<line class="cycle-target" data-cycle="{esc(entry["cycle"])}" '
                f'x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}">'
                f"<title>{esc(title)}</title></line>"
                f'<text class="cycle-label" x="{(x0 + x1) / 2:.1f}" y="{HEIGHT - BOTTOM - 6}" '
                f'text-anchor="middle">{esc(entry["cycle"])}</text>'
            )
    return parts


def _today(frame: Frame, as_of: datetime) -> list[str]:
    if not frame.start <= as_of <= frame.end:
        return []
    x = frame.x(as_of)
    return [
        f'<line class="today" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 6}" y2="{HEIGHT - BOTTOM}"/>'
        f'<text class="today-label" x="{x:.1f}" y="{TOP - 10}" text-anchor="middle">'
        f"as of {esc(short_date(as_of.astimezone(frame.start.tzinfo)))}</text>"
    ]


def _value_lines(points: Sequence[Point], frame: Frame, unit: str, status: str) -> list[str]:
    parts = []
    for run in segments(points):
        coordinates = " ".join(
            f"{frame.x(p.moment):.1f},{frame.y(p.value or 0.0):.1f}" for p in run
        )
        parts.append(f'<polyline class="series" points="{coordinates}"/>')
    for point in points:
        if point.value is None:
            continue
        kind = "pt-backfill" if point.backfilled else "pt-run"
        radius = 2.6 if point.backfilled else 4.0
        label = (
            f"{short_date(point.moment.astimezone(frame.start.tzinfo))}: "
            f"{number(point.value, unit)}"
            f"{' (back-filled)' if point.backfilled else ' (recorded run)'}"
        )
        parts.append(
            f'<circle class="{kind}" cx="{frame.x(point.moment):.1f}" '
            f'cy="{frame.y(point.value):.1f}" r="{radius}"><title>{esc(label)}</title></circle>'
        )
    current = next((p for p in reversed(points) if p.current and p.value is not None), None)
    if current is not None and current.value is not None:
        parts.append(
            f'<circle class="pt-now status-{esc(status)}" cx="{frame.x(current.moment):.1f}" '
            f'cy="{frame.y(current.value):.1f}" r="7"/>'
        )
    return parts
