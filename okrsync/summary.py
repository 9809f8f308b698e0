"""What okrsync writes into a tool for one KR: the field value, the comment text and
the property document.

Everything here must be a pure function of the KR's result and must not mention the
time of the run: a second apply with nothing changed has to produce identical values,
so that it sends no write at all. For the same reason, warnings that compare a run with
the previous one (``compares_runs``) are left out: they hold for one run only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from okrsync.evaluate import KrResult
from okrsync.evaluate.quality import compares_runs

# Entity properties are limited to 32 KB; leave room for the JSON around the keys.
PROPERTY_KEY_BUDGET = 400
STATUS_WORDS = {
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "not_started": "not started",
    "closed": "closed",
    "no_data": "no data",
}

# The forecast status in words, after the chance it follows from.
FORECAST_VERDICTS = {
    "likely": "likely to reach it",
    "at_risk": "at risk of missing it",
    "unlikely": "unlikely to reach it",
}

_PLURAL_UNITS = ("items", "points", "days")


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 item``, ``2 items``: counts agree in number."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def normalized_text(text: str) -> str:
    """``text`` the way Jira Data Center keeps a wiki markup comment: LF line endings,
    no spaces at the end of a line or of the text. okrsync writes comments in this form
    already, so what it reads back compares equal and no unchanged comment is rewritten."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip()


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.1f}%"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "%":
        return text + "%"
    if text == "1" and unit in _PLURAL_UNITS:
        unit = unit[:-1]  # "1 item", as people say it
    return f"{text} {unit}".strip()


def forecast_band(forecast: Mapping[str, Any], unit: str = "") -> str:
    """``62–74%``: the P15–P85 band of a forecast, one value when they agree."""
    low, high = (_band_end(forecast[key], unit) for key in ("p15", "p85"))
    if low == high:
        return number(_band_end(forecast["p50"], unit), unit)
    return f"{number(low)}–{number(high, unit)}"


def _band_end(value: float, unit: str) -> float:
    # A band is a range, not a measurement: whole percent read better than decimals.
    return round(value) if unit == "%" else round(value, 2)


def forecast_line(forecast: Mapping[str, Any] | None, unit: str = "") -> str | None:
    """The forecast in the comment's words: ``Forecast: likely to end at 62–74%, 22%
    chance of reaching the target — unlikely to reach it``. None for a KR whose cycle
    has ended or that has no forecast."""
    if not forecast or forecast.get("method") == "cycle_ended":
        return None
    if forecast.get("p50") is None:
        return f"Forecast: not made yet — {forecast.get('reason', 'not enough history')}"
    line = f"Forecast: likely to end at {forecast_band(forecast, unit)}"
    chance = forecast.get("probability_of_target")
    if chance is not None:
        line += f", {chance * 100:.0f}% chance of reaching the target"
    verdict = FORECAST_VERDICTS.get(forecast.get("status") or "")
    return line + (f" — {verdict}" if verdict else "")


def forecast_basis(forecast: Mapping[str, Any]) -> str | None:
    """What a forecast was made from: ``Monte-Carlo, 10,000 trials (seed 0) over 46
    whole days, 2027-01-01 to 2027-02-15``; None when none was made."""
    if forecast.get("p50") is None:
        return None
    days = plural(forecast["based_on_days"], "whole day")
    span = f"{forecast['based_on']['from']} to {forecast['based_on']['to']}"
    if forecast["method"] == "monte_carlo_throughput":
        trials = f"{forecast['trials']:,} trials (seed {forecast['seed']})"
        return f"Monte-Carlo, {trials} over {days}, {span}"
    return f"trend line over {days}, {span}"


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " "))


def field_value(result: KrResult, value_kind: str) -> float | None:
    """The number written into a KR field: progress in percent (one decimal) or the raw
    value."""
    if value_kind == "current":
        return None if result.value is None else round(result.value, 4)
    return None if result.progress is None else round(result.progress * 100, 1)


def comment_text(result: KrResult) -> str:
    """The okrsync-owned comment: value, progress, expected, status and evidence."""
    unit = result.unit or ""
    lines = [
        f"{result.title}",
        f"Value: {number(result.value, unit)} (baseline {number(result.baseline, unit)}, "
        f"target {number(result.target, unit)})",
        f"Progress: {percent(result.progress)} · expected {result.expected * 100:.0f}% · "
        f"{status_word(result.status)}",
    ]
    if result.override is not None:
        lines.append(
            f"Override: {percent(result.progress)} until {result.override['until']} — "
            f"{result.override['reason']} (computed {percent(result.computed_progress)})"
        )
    forecast = forecast_line(result.forecast, unit)
    if forecast is not None:
        lines.append(forecast)
    counts = result.evidence.get("counts", {})
    if counts:
        lines.append("Evidence: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    keys = [entry["key"] for entry in result.evidence.get("items", []) if entry.get("done")]
    if keys:
        shown = ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")
        lines.append(f"Done: {shown}")
    lines.extend(f"Warning: {warning}" for warning in pushed_warnings(result))
    return normalized_text("\n".join(lines))


def pushed_warnings(result: KrResult) -> list[str]:
    """The warnings written into the tools: all but those comparing runs."""
    return [warning for warning in result.warnings if not compares_runs(warning)]


def property_document(result: KrResult) -> dict[str, Any]:
    """The full result as JSON for the ``okrsync`` entity property."""
    document = result.to_dict()
    document.pop("as_of", None)
    document.pop("pushes", None)
    # ``expected`` moves every minute; three decimals keep repeated applies stable.
    document["expected"] = round(result.expected, 3)
    document["warnings"] = pushed_warnings(result)
    document.pop("warning_items", None)  # names the items of every warning, pushed or not
    items = document.get("evidence", {}).get("items", [])
    if len(items) > PROPERTY_KEY_BUDGET:
        document["evidence"]["items"] = items[:PROPERTY_KEY_BUDGET]
        document["evidence"]["items_truncated"] = len(items) - PROPERTY_KEY_BUDGET
    return document


def issue_summary(result: KrResult) -> dict[str, str]:
    """Fields of the KR issue okrsync creates."""
    return {"summary": f"KR: {result.title}", "description": f"Key result {result.id}."}
