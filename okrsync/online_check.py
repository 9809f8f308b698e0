"""``okrsync validate --online``: the mappings checked against the tools themselves,
without writing anything.

For every KR, each instance it names is asked what only the tool knows: every query
parses and runs, every field a measure reads exists (the estimate's names: the tool's
estimate field is found), every push issue exists and every push field is a number
field on that issue (by reading the push targets, as a plan would), every metric can be
read. Each problem is located where the mapping names the thing, with the tool's own
message, as a ``Problem`` (a plain record the CLI prints or serializes).

A type is asked about queries and fields only if it declares ``online_check``; what
it cannot do at all is an offline problem already (see ``mapping.crossfile``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from okrsync.connector import (
    Connector,
    MetricSource,
    OnlineChecker,
    PushTarget,
    build_connector,
)
from okrsync.errors import AuthError, ConnectionFailed, Problem, SourceError
from okrsync.mapping.references import fields_of, metrics_of, selections_of
from okrsync.plan import targets_of

if TYPE_CHECKING:
    from okrsync.project import KeyResultRef, Project


@dataclass(frozen=True)
class _Question:
    """One thing to ask one instance, and where the mapping says it."""

    instance: str
    spot: tuple[Any, ...]  # the KR and the path inside it
    ask: Callable[[Any], Awaitable[Any]]
    key: tuple[Any, ...]  # the same question is asked once, for every place it is written
    # A question not worth asking when this one failed (a field of a missing issue).
    after: tuple[Any, ...] | None = None


async def check_online(project: Project) -> list[Problem]:
    """Every problem the tools find in the mappings, sorted; empty when all is well.

    Raises ``ConfigError`` when a connector cannot be opened (a secret not set), and a
    ``SourceError`` when a site cannot be reached or refuses the credentials: then no
    answer about the mappings would mean anything."""
    questions = [q for ref in project.key_results() for q in _questions(project, ref)]
    names = sorted({q.instance for q in questions})
    connectors = {name: build_connector(name, project.connector_settings(name)) for name in names}
    problems: list[Problem] = []
    answers: dict[tuple[Any, ...], str | None] = {}
    try:
        for name in names:
            await connectors[name].__aenter__()
        for question in questions:
            if question.after is not None and answers.get(question.after) is not None:
                continue
            if question.key not in answers:
                answers[question.key] = await _answer(connectors[question.instance], question)
            message = answers[question.key]
            if message is not None:
                ref, path = question.spot
                problems.append(_located(ref, path, message))
    finally:
        for connector in connectors.values():
            await connector.__aexit__(None, None, None)
    return sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))


async def _answer(connector: Connector, question: _Question) -> str | None:
    try:
        await question.ask(connector)
    except (AuthError, ConnectionFailed):
        raise  # about the site, not the mapping: the caller reports it once
    except SourceError as error:
        return str(error)  # names the instance: "jira: Jira rejected the query: ..."
    return None


def _located(ref: KeyResultRef, path: tuple[Any, ...], message: str) -> Problem:
    where = ref.location_of(*path)
    file, line, column = where.rsplit(":", 2)
    return Problem(file, int(line), int(column), message)


def _questions(project: Project, ref: KeyResultRef) -> list[_Question]:
    kr = ref.kr
    found: list[_Question] = []
    for path, selection in selections_of(kr):
        source = ref.source_of(selection)
        if project.capabilities(source).online_check:
            query = selection.query
            found.append(
                _Question(
                    source,
                    (ref, (*path, "query")),
                    partial(_check_query, query),
                    (source, "query", query),
                )
            )
    for read in fields_of(kr):
        for source in sorted({ref.source_of(s) for s in read.selections}):
            if project.capabilities(source).online_check:
                found.append(
                    _Question(
                        source,
                        (ref, read.path),
                        partial(_check_field, read.name),
                        (source, "field", read.name.strip().lower()),
                    )
                )
    for path, metric in metrics_of(kr):
        found.append(
            _Question(
                metric.source,
                (ref, path),
                partial(_read_metric, metric.name),
                (metric.source, "metric", metric.name),
            )
        )
    for index, push in enumerate(kr.push):
        if push.issue is not None:  # one that creates its issue has none to check yet
            found.extend(_push_questions(project, ref, index, push.to, push.issue))
    return found


def _push_questions(
    project: Project, ref: KeyResultRef, index: int, to: str, issue: str
) -> list[_Question]:
    push = ref.kr.push[index]
    found: list[_Question] = []
    exists = (to, "issue", issue.upper())
    if project.capabilities(to).online_check:
        spot = (ref, ("push", index, "issue"))
        found.append(_Question(to, spot, partial(_check_issue, issue), exists))
    for target in targets_of(ref.kr, push, None):
        # Reading a target is what a plan does before any write: it finds the issue, and
        # a field's number type and whether the issue's edit screen has it.
        if target.what == "field" or not project.capabilities(to).online_check:
            sub = "field" if target.what == "field" else "issue"
            key = (to, "push", issue.upper(), target.what, target.field, ref.id)
            found.append(
                _Question(
                    to, (ref, ("push", index, sub)), partial(_read_target, target), key, exists
                )
            )
    return found


async def _check_query(query: str, connector: Any) -> None:
    assert isinstance(connector, OnlineChecker)  # its type declares online_check
    await connector.check_query(query)


async def _check_field(name: str, connector: Any) -> None:
    assert isinstance(connector, OnlineChecker)
    await connector.check_field(name)


async def _read_metric(name: str, connector: Any) -> None:
    assert isinstance(connector, MetricSource)  # validation checked the capability
    await connector.read_metric(name)


async def _check_issue(issue: str, connector: Any) -> None:
    assert isinstance(connector, OnlineChecker)
    await connector.check_issue(issue)


async def _read_target(target: PushTarget, connector: Any) -> None:
    assert isinstance(connector, Connector)
    await connector.read(target)
