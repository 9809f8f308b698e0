"""The subset of GitHub's issue search syntax the sandbox understands.

Qualifiers: ``repo:``, ``org:``, ``is:`` (issue, pr, open, closed, merged), ``state:``,
``label:`` (``a,b`` is any of; repeated qualifiers all), ``no:label``,
``no:milestone``, ``milestone:`` (no seeded issue has one), ``author:``,
``assignee:``, ``type:`` (issue type), ``reason:`` (completed, "not planned"),
``project:ORG/N``, ``in:title``/``in:body``, and the date ranges ``created:``,
``updated:``, ``closed:`` (``>=X``, ``>X``, ``<=X``, ``<X``, ``A..B``, ``X``; a date or an
ISO 8601 instant). A leading ``-`` negates a qualifier. Other words are text, matched
in the title and body. As on GitHub, a query longer than 256 characters or with more
than five AND/OR/NOT operators is refused (``SearchRefused``, a 422).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from okrsync_github_sandbox.model import Issue

MAX_LENGTH = 256
MAX_OPERATORS = 5
_RANGE = re.compile(r"^(>=|<=|>|<)?(.+?)(?:\.\.(.+))?$")


class SearchRefused(ValueError):
    """GitHub's 422 ``Validation Failed`` for a query it will not run."""


@dataclass(frozen=True)
class _Term:
    name: str  # qualifier, or "" for text
    value: str
    negated: bool = False


def parse(query: str) -> list[_Term]:
    if len(query) > MAX_LENGTH:
        raise SearchRefused("The search is longer than 256 characters.")
    try:
        words = shlex.split(query)
    except ValueError as error:
        raise SearchRefused(f"The search could not be parsed: {error}") from None
    if sum(word in ("AND", "OR", "NOT") for word in words) > MAX_OPERATORS:
        raise SearchRefused("The search contains more than 5 AND / OR / NOT operators.")
    terms = []
    for word in words:
        if word in ("AND", "OR", "NOT"):
            continue  # the sandbox treats every term as ANDed
        negated = word.startswith("-") and ":" in word
        word = word.removeprefix("-") if negated else word
        name, sep, value = word.partition(":")
        if sep and re.fullmatch(r"[a-z-]+", name):
            terms.append(_Term(name, value, negated))
        else:
            terms.append(_Term("", word))
    return terms


def _instant(text: str, *, end: bool) -> datetime:
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    day = datetime.combine(datetime.fromisoformat(text).date(), time(0), tzinfo=UTC)
    return day + timedelta(days=1) - timedelta(microseconds=1) if end else day


def _range_test(spec: str) -> Callable[[datetime | None], bool]:
    """Whether an instant lies in the range ``spec``; the bounds are read once, not for
    every issue the search looks at."""
    match = _RANGE.match(spec)
    if match is None:
        raise SearchRefused(f"{spec!r} is not a date range")
    op, first, second = match.groups()
    try:
        if second is not None:
            low, high = _instant(first, end=False), _instant(second, end=True)
            return lambda moment: moment is not None and low <= moment <= high
        if op == ">=":
            low = _instant(first, end=False)
            return lambda moment: moment is not None and moment >= low
        if op == ">":
            after = _instant(first, end=True)
            return lambda moment: moment is not None and moment > after
        if op == "<=":
            high = _instant(first, end=True)
            return lambda moment: moment is not None and moment <= high
        if op == "<":
            before = _instant(first, end=False)
            return lambda moment: moment is not None and moment < before
        low, high = _instant(first, end=False), _instant(first, end=True)
        return lambda moment: moment is not None and low <= moment <= high
    except ValueError:
        raise SearchRefused(f"{spec!r} is not a date or a date range") from None


_REASONS = {"completed": "COMPLETED", "not planned": "NOT_PLANNED", "duplicate": "DUPLICATE"}


def _matcher(
    term: _Term, in_project: Callable[[Issue, str], bool], body_only: bool
) -> Callable[[Issue], bool]:
    value = term.value
    lowered = value.lower()
    simple: dict[str, Callable[[Issue], bool]] = {
        "repo": lambda i: i.repo.lower() == lowered,
        "org": lambda i: i.repo.split("/")[0].lower() == lowered,
        "user": lambda i: i.repo.split("/")[0].lower() == lowered,
        "label": lambda i: any(label.lower() in lowered.split(",") for label in i.labels),
        "author": lambda i: i.author.lower() == lowered,
        "assignee": lambda i: lowered in (a.lower() for a in i.assignees),
        "type": lambda i: (i.issue_type or "").lower() == lowered,
        "reason": lambda i: i.state == "CLOSED" and i.state_reason == _REASONS.get(lowered),
        "milestone": lambda i: False,  # no seeded issue has a milestone
        "project": lambda i: in_project(i, lowered),
    }
    if term.name in ("created", "updated", "closed"):
        within = _range_test(value)
        moment = {"created": "created", "updated": "updated", "closed": "closed_at"}[term.name]
        return lambda i: within(getattr(i, moment))
    if term.name in simple:
        return simple[term.name]
    if term.name in ("is", "state"):
        states: dict[str, Callable[[Issue], bool]] = {
            "issue": lambda i: not i.is_pr,
            "pr": lambda i: i.is_pr,
            "open": lambda i: i.state == "OPEN",
            "closed": lambda i: i.state != "OPEN",
            "merged": lambda i: i.state == "MERGED",
        }
        if lowered not in states:
            raise SearchRefused(f"is:{value} is not supported")
        return states[lowered]
    if term.name == "no":
        if lowered == "label":
            return lambda i: not i.labels
        if lowered == "milestone":
            return lambda i: True
        raise SearchRefused(f"no:{value} is not supported")
    if term.name == "in":
        return lambda i: True  # narrows where text matches (``body_only``)
    text = (f"{term.name}:{value}" if term.name else value).lower()
    if body_only:  # in:body
        return lambda i: text in i.body.lower()
    return lambda i: text in i.title.lower() or text in i.body.lower()


def compile_query(
    terms: list[_Term], in_project: Callable[[Issue, str], bool]
) -> Callable[[Issue], bool]:
    """One test for the whole query (every term must hold)."""
    body_only = any(t.name == "in" and t.value.lower() == "body" for t in terms)
    tests = [(_matcher(term, in_project, body_only), term.negated) for term in terms]
    return lambda issue: all(test(issue) != negated for test, negated in tests)
