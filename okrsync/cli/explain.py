"""``okrsync explain KR``: the query, the items at T, what each contributes, and the
arithmetic from items to value to progress to status, so a reader can redo it by hand."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from okrsync.cli.tables import Col, fitted_table, instant_label, relative, status_text
from okrsync.evaluate import Evaluation, ItemEvidence, KrResult
from okrsync.summary import forecast_line, number, percent, plural

if TYPE_CHECKING:
    from okrsync.items import TrackedField
    from okrsync.mapping.cycle import Cycle
    from okrsync.mapping.models import KeyResult
    from okrsync.project import Project


class ObservedFields(Protocol):
    def observed_since(self, source: str) -> dict[TrackedField, datetime]: ...


# Links listed below the items table; explain --json gives every item's.
LINKS_SHOWN = 30


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _completion(result: KrResult, measured: list[ItemEvidence], weight_by: str | None) -> str:
    done = sum(i["contributes"] or 0.0 for i in measured if i["done"])
    shown = number(result.value, "%")
    if weight_by is None:
        return f"value = done {_fmt(done)} / measured {len(measured)} items × 100 = {shown}"
    # Only done items contribute their estimate, so the total follows from the value.
    if result.value:
        total = round(done * 100 / result.value, 4)
        return (
            f"value = done {_fmt(round(done, 4))} / total {_fmt(total)} {weight_by} × 100 = {shown}"
        )
    return f"value = done 0 / the {weight_by} of {len(measured)} measured items × 100 = {shown}"


def value_arithmetic(result: KrResult, weight_by: str | None = None) -> list[str]:
    """How the value follows from the items' contributions."""
    items = result.evidence["items"]
    contributing = [i for i in items if i["contributes"] is not None]
    total = sum(i["contributes"] or 0.0 for i in contributing)
    measure = result.measure
    if measure == "completion":
        return [_completion(result, contributing, weight_by)]
    if measure in ("count", "done", "sum", "scope_added"):
        terms = " + ".join(_fmt(i["contributes"]) for i in contributing[:30])
        more = " + …" if len(contributing) > 30 else ""
        return [f"value = {terms}{more} = {_fmt(result.value)}" if terms else "value = 0"]
    if measure == "average" and contributing:
        return [f"value = {_fmt(total)} / {len(contributing)} items = {_fmt(result.value)}"]
    counts = ", ".join(f"{k} {v}" for k, v in result.evidence["counts"].items())
    return [f"value = {number(result.value, result.unit)} ({counts})"]


def progress_arithmetic(result: KrResult) -> list[str]:
    lines = []
    if result.value is not None and result.target is not None:
        span = result.target - result.baseline
        raw = (result.value - result.baseline) / span if span else None
        lines.append(
            f"progress = (value {_fmt(result.value)} − baseline {_fmt(result.baseline)}) / "
            f"(target {_fmt(result.target)} − baseline {_fmt(result.baseline)}) = "
            f"{_fmt(None if raw is None else round(raw, 4))}"
            + ("" if result.stretch else " → clamped to [0, 1]")
            + f" = {percent(result.computed_progress)}"
        )
    if result.override is not None:
        lines.append(
            f"override until {result.override['until']}: progress {percent(result.progress)} "
            f"— {result.override['reason']}"
        )
    lines.append(
        f"expected = elapsed share of cycle {result.cycle} = {percent(result.expected)}; "
        f"status {result.status} (on track if progress ≥ expected − margin)"
    )
    return lines


def cycle_arithmetic(result: KrResult, plan: Cycle, kr: KeyResult) -> list[str]:
    """In a plan: the cycle T falls in, and each cycle's target, value and score."""
    if not result.cycles:
        return []
    now = next((c["cycle"] for c in result.cycles if c["status"] not in _NOT_NOW), None)
    lines = [
        f"plan {plan.label} of {', '.join(p.label for p in plan.parts)}; as of T "
        + (f"in cycle {now}" if now else "outside its cycles")
    ]
    for entry, part in zip(result.cycles, plan.parts, strict=False):
        if kr.targets and part.label in kr.targets:
            how = "set in 'targets'"
        else:
            through = (part.last_day - plan.first_day).days + 1
            how = f"prorated, {through} of {plan.days} days"
        value = "no value yet" if entry["value"] is None else f"value {_fmt(entry['value'])}"
        target = None if entry["target"] is None else round(entry["target"], 4)
        lines += [
            f"  {entry['cycle']} ({entry['start']} to {entry['end']}): target {_fmt(target)} "
            f"({how})",
            f"    {value}, progress {percent(entry['progress'])}, expected "
            f"{percent(entry['expected'])}, {entry['status'].replace('_', ' ')}",
        ]
    return lines


# The statuses of a plan's cycles T is not in.
_NOT_NOW = ("closed", "not_started")


def forecast_explanation(result: KrResult) -> list[str]:
    """How the forecast was made: the method, from which days, trials and seed."""
    forecast = result.forecast
    line = forecast_line(forecast, result.unit)
    if forecast is None or line is None:
        return []
    lines = [line[0].lower() + line[1:]]
    if forecast.get("p50") is None:
        return lines
    days, left = forecast["based_on_days"], forecast["days_left"]
    span = f"{forecast['based_on']['from']} to {forecast['based_on']['to']}"
    if forecast["method"] == "monte_carlo_throughput":
        daily = forecast["daily"]
        lines += [
            f"  {forecast['trials']:,} trials (seed {forecast['seed']}), each drawing one of "
            f"{plural(days, 'whole day')} ({span}) at random for each of the "
            f"{plural(left, 'day')} left, adding what was done and added to the scope that day",
            "  done per day: " + " ".join(_fmt(v) for v in daily["completed"]),
            "  added per day: " + " ".join(_fmt(v) for v in daily["added"]),
        ]
    else:
        lines.append(
            f"  least-squares line through the last value of {plural(days, 'whole day')} "
            f"({span}), {forecast['slope_per_day']:+g} a day, extended over the "
            f"{plural(left, 'day')} left; P15–P85 is its 70% prediction band"
        )
    lines.append(
        f"  P15 {_fmt(forecast['p15'])}, P50 {_fmt(forecast['p50'])}, P85 {_fmt(forecast['p85'])}"
    )
    return lines


def items_table(result: KrResult, width: int) -> Table:
    items = result.evidence["items"]
    # A KR over several sources says which each item comes from.
    show_source = len({item.get("source") for item in items}) > 1
    columns = [
        *([Col("source", flex=1)] if show_source else []),
        Col("key"),
        Col("status at T", flex=1),
        Col("category"),
        Col("done"),
        Col("contributes", "right"),
        Col("note", flex=3),
    ]
    rows = [
        [
            *([item.get("source") or ""] if show_source else []),
            _linked(item["key"], item.get("url")),
            item["status"],
            item["status_category"],
            "yes" if item["done"] else "",
            _fmt(item["contributes"]),
            item["note"],
        ]
        for item in items
    ]
    return fitted_table(f"items behind {result.id}", columns, rows, width)


def _linked(text: str, url: str | None) -> str | Text:
    """``text`` as a hyperlink to ``url`` where the terminal shows hyperlinks."""
    return text if not url else Text(text, style=Style(link=url))


def _link_keys(text: Text, items: list[dict[str, str]]) -> None:
    """Make each key a warning lists after its last colon a hyperlink to its item (one
    of ``items``, those the warning names)."""
    urls = {item["key"]: item["url"] for item in items if item.get("url")}
    listed = text.plain.rfind(": ")
    if not urls or listed < 0:
        return
    at = listed + 2
    for word in text.plain[at:].split(", "):
        key = word.split(" and ", 1)[0].rstrip(".")
        if key in urls:
            text.stylize(Style(link=urls[key]), at, at + len(key))
        at += len(word) + 2


def link_lines(result: KrResult) -> list[Text]:
    """Each item's page in its tool, one per line (the first ``LINKS_SHOWN``)."""
    urls = [str(item["url"]) for item in result.evidence["items"] if item.get("url")]
    if not urls:
        return []
    lines = [Text("links to the items in their tools:")]
    lines += [Text.assemble("  ", _linked(url, url)) for url in urls[:LINKS_SHOWN]]
    if len(urls) > LINKS_SHOWN:
        lines.append(Text(f"  and {len(urls) - LINKS_SHOWN} more (explain --json lists them)"))
    return lines


def selection_source(project: Project, kr_id: str) -> list[str]:
    """The KR's ``select`` exactly as written in its mapping file (comments
    included); empty when the file cannot be read again."""
    ref = project.kr(kr_id)
    doc = ref.doc
    if doc.yaml is None or doc.path is None:
        return []
    key_path = (*ref.path, "select")
    if key_path not in doc.yaml.keys:
        return []
    start = doc.yaml.keys[key_path]
    try:
        lines = doc.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return []
    margin = start.column - 1  # the key's indentation: the block is what is deeper
    block = [lines[start.line - 1][margin:]]
    for line in lines[start.line :]:
        if line.strip() and len(line) - len(line.lstrip()) <= margin:
            break
        block.append(line[margin:])
    while block and not block[-1].strip():
        block.pop()
    return block


def observed_since(store: ObservedFields | None, result: KrResult) -> dict[str, dict[str, str]]:
    """For each source of the KR's items, the fields its tool keeps no history of and
    since when okrsync has observed them (ISO instants): their values before are
    unknown."""
    if store is None:
        return {}
    sources = sorted(
        {str(item["source"]) for item in result.evidence["items"] if item.get("source")}
    )
    found = {source: store.observed_since(source) for source in sources}
    return {
        source: {field.value: at.isoformat() for field, at in sorted(since.items())}
        for source, since in found.items()
        if since
    }


def _observed_line(source: str, since: dict[str, str], project: Project) -> str:
    fields = ", ".join(
        f"{field} since {instant_label(at, project.timezone)}" for field, at in since.items()
    )
    return f"observed on {source} (its tool keeps no history of them): {fields}"


def explanation_document(
    project: Project, evaluation: Evaluation, kr_id: str, store: ObservedFields | None = None
) -> dict[str, Any]:
    """``explain --json``: the KR's result as ``plan --json`` has it, where it is
    written, and the fields observed rather than rebuilt from history."""
    result = evaluation.key_result(kr_id)
    return {
        "as_of": evaluation.as_of.isoformat(),
        "location": relative(project.location_of_kr(kr_id)),
        "select": "\n".join(selection_source(project, kr_id)) or None,
        "key_result": result.to_dict(),
        "observed_since": observed_since(store, result),
    }


def show_explanation(
    out: Console,
    project: Project,
    evaluation: Evaluation,
    kr_id: str,
    store: ObservedFields | None = None,
) -> None:
    result = evaluation.key_result(kr_id)
    kr = project.kr(kr_id).kr
    location = relative(project.location_of_kr(kr_id))
    out.print(Text.assemble((result.id, "bold"), f" — {result.title}  ({location})"))
    out.print(
        f"objective {result.objective}; measure {result.measure}; "
        f"as of {instant_label(evaluation.as_of, project.timezone)}"
    )
    written = selection_source(project, kr_id)
    if written:
        out.print("as written:")
        for line in written:
            out.print("  " + line, highlight=False)
    else:
        for selection in kr.selections():
            out.print(f"select from {selection.source or 'default source'}: {selection.query}")
    counts: dict[str, Any] = result.evidence["counts"]
    if counts:
        out.print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if result.evidence["items"]:
        out.print(items_table(result, out.width))
        for link in link_lines(result):
            out.print(link, soft_wrap=True, highlight=False)
    lines = value_arithmetic(result, kr.weight_by) + progress_arithmetic(result)
    for line in lines + cycle_arithmetic(result, project.kr(kr_id).cycle, kr):
        out.print("  " + line)
    for source, since in observed_since(store, result).items():
        out.print(_observed_line(source, since, project), highlight=False)
    out.print("status: ", status_text(result.status))
    for line in forecast_explanation(result):
        out.print(line, highlight=False)
    named = result.warning_items
    for index, warning in enumerate(result.warnings):
        text = Text.assemble(("warning:", "yellow"), " ", warning)
        _link_keys(text, named[index] if index < len(named) else [])
        out.print(text)
