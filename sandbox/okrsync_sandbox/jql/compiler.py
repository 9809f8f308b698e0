"""Resolve a JQL syntax tree against the site and compile it to a predicate and a sort.

Field and value problems are collected and reported together, with Jira's wording,
as Jira does. The predicate is built from closures once per query, and the candidate
issues are narrowed by project or key first, so 100,000 issues search quickly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from okrsync_sandbox.changes import plain_text
from okrsync_sandbox.jql import dates
from okrsync_sandbox.jql.context import Context, lookup_field
from okrsync_sandbox.jql.errors import JqlError
from okrsync_sandbox.jql.ordering import compile_order
from okrsync_sandbox.jql.syntax import (
    And,
    Clause,
    Empty,
    FieldRef,
    Function,
    Node,
    Not,
    Operand,
    Or,
    Query,
    Value,
    parse,
)
from okrsync_sandbox.jql.text import text_matcher
from okrsync_sandbox.model import FieldDef, Issue, User
from okrsync_sandbox.state import SandboxState

Predicate = Callable[[Issue], bool]

_EQUALITY = ("=", "!=", "in", "not in", "is", "is not")
_ORDERED = ("<", ">", "<=", ">=")
_TEXT = ("~", "!~", "is", "is not")
_SPRINT_FUNCTIONS = {"opensprints", "closedsprints", "futuresprints"}
_USER_FUNCTIONS = {"currentuser"}
_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-(\d+)$", re.IGNORECASE)


@dataclass
class CompiledQuery:
    predicate: Predicate
    order: Callable[[list[Issue]], list[Issue]]
    projects: frozenset[str] | None  # only issues of these projects can match
    issue_ids: frozenset[int] | None  # only these issues can match
    bounded: bool
    uses_now: bool  # relative dates: results change with the clock alone


def compile_query(
    text: str, state: SandboxState, user: User, *, now: datetime | None = None
) -> CompiledQuery:
    """Compile ``text`` for ``user`` (whose time zone reads date literals)."""
    query: Query = parse(text)
    ctx = Context(state, user, now or state.now(), ZoneInfo(user.time_zone), [])
    predicate = _compile_node(query.where, ctx) if query.where is not None else _always
    order = compile_order(query, ctx)
    if ctx.errors:
        raise JqlError(*ctx.errors)
    projects, ids = _scope(query.where, ctx) if query.where is not None else (None, None)
    return CompiledQuery(predicate, order, projects, ids, query.where is not None, ctx.uses_now)


def _always(issue: Issue) -> bool:
    return True


# --- boolean structure --------------------------------------------------------------------


def _compile_node(node: Node, ctx: Context) -> Predicate:
    if isinstance(node, And):
        parts = [_compile_node(p, ctx) for p in node.parts]
        return lambda issue: all(p(issue) for p in parts)
    if isinstance(node, Or):
        alternatives = [_compile_node(p, ctx) for p in node.parts]
        return lambda issue: any(p(issue) for p in alternatives)
    if isinstance(node, Not):
        inner = _compile_node(node.part, ctx)
        return lambda issue: not inner(issue)
    try:
        return _compile_clause(node, ctx)
    except JqlError as error:
        ctx.errors.extend(error.messages)
        return _always


def _scope(node: Node, ctx: Context) -> tuple[frozenset[str] | None, frozenset[int] | None]:
    """Projects or issues a match must belong to, read from top-level AND clauses."""
    clauses = node.parts if isinstance(node, And) else (node,)
    projects: frozenset[str] | None = None
    ids: frozenset[int] | None = None
    for clause in clauses:
        if not isinstance(clause, Clause) or clause.operator not in ("=", "in"):
            continue
        definition = lookup_field(clause.field, ctx)
        if definition is None or isinstance(clause.operand, Empty | Function):
            continue
        values = clause.operand if isinstance(clause.operand, tuple) else (clause.operand,)
        if any(isinstance(v, Function) for v in values):
            continue
        texts = [v.text for v in values if isinstance(v, Value)]
        if definition.kind == "project":
            found = frozenset(_project_key(t, ctx, clause.field.name) for t in texts)
            projects = found if projects is None else projects & found
        elif definition.kind == "issuekey":
            keys = frozenset(_issue(t, ctx, clause.field.name).id for t in texts)
            ids = keys if ids is None else ids & keys
    return projects, ids


# --- fields ------------------------------------------------------------------------------


def _field(ref: FieldRef, ctx: Context) -> FieldDef:
    definition = lookup_field(ref, ctx)
    if definition is None or not definition.searchable:
        raise JqlError(
            f"Field '{ref.name}' does not exist or you do not have permission to view it."
        )
    return definition


def _compile_clause(clause: Clause, ctx: Context) -> Predicate:
    definition = _field(clause.field, ctx)
    kind = definition.kind
    name = clause.field.name
    op = clause.operator
    if op in ("in", "not in") and isinstance(clause.operand, Value):
        raise JqlError(
            f"Operator '{op}' does not support the non-list value '\"{clause.operand.text}\"' "
            f"for field '{name}'."
        )
    if kind in ("text", "comment"):
        _check_operator(op, _TEXT, name)
        return _text_clause(definition, clause, ctx)
    if kind in ("datetime", "date"):
        _check_operator(op, _EQUALITY + _ORDERED, name)
        return _date_clause(definition, clause, ctx)
    if kind == "number":
        _check_operator(op, _EQUALITY + _ORDERED, name)
        return _number_clause(definition, clause, ctx)
    if kind == "issuekey":
        _check_operator(op, _EQUALITY + _ORDERED, name)
        if op in _ORDERED:
            return _key_range(clause, ctx)
    elif kind == "status" and op.startswith("was"):
        return _was_clause(clause, ctx)
    elif kind in ("other",):
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    else:
        _check_operator(op, _EQUALITY, name)
    return _set_clause(definition, clause, ctx)


def _check_operator(op: str, allowed: tuple[str, ...], name: str) -> None:
    if op not in allowed:
        shown = op.upper() if op[0].isalpha() else op
        raise JqlError(f"The operator '{shown}' is not supported by the '{name}' field.")


def _operand_items(operand: Operand) -> tuple[Value | Function, ...]:
    if isinstance(operand, tuple):
        return operand
    if isinstance(operand, Empty):
        return ()
    return (operand,)


def _unknown_function(function: Function, name: str) -> JqlError:
    known = _SPRINT_FUNCTIONS | _USER_FUNCTIONS | dates.DATE_FUNCTIONS
    if function.name.lower() not in known:
        return JqlError(f"Unable to find JQL function '{function.name}()'.")
    return JqlError(
        f"A value provided by the function '{function.name}' is invalid for the field '{name}'."
    )


# --- equality over a set of atoms (project, status, sprint, labels, ...) ---------------------


def _set_clause(definition: FieldDef, clause: Clause, ctx: Context) -> Predicate:
    getter, multi = _atom_getter(definition)
    op = clause.operator
    name = clause.field.name
    if isinstance(clause.operand, Empty) or op in ("is", "is not"):
        wants_empty = op in ("is", "=", "in")
        if multi:
            return (lambda i: not getter(i)) if wants_empty else (lambda i: bool(getter(i)))
        return (lambda i: getter(i) is None) if wants_empty else (lambda i: getter(i) is not None)
    if op in ("in", "not in") and not isinstance(clause.operand, tuple | Function):
        raise JqlError(
            f"Operator '{op}' does not support the non-list value '\"{_text_of(clause.operand)}\"' "
            f"for field '{name}'."
        )
    if op in ("=", "!=") and isinstance(clause.operand, tuple):
        raise JqlError(f"Operator '{op}' does not support a list value for field '{name}'.")
    wanted: set[Any] = set()
    include_empty = False
    for item in _operand_items(clause.operand):
        if isinstance(item, Function):
            wanted |= _function_atoms(definition, item, ctx, name)
            continue
        atom = _atom(definition, item, ctx, name)
        if atom is None:
            include_empty = True
        else:
            wanted.add(atom)
    positive = op in ("=", "in")
    if multi:

        def multi_match(issue: Issue) -> bool:
            held = getter(issue)
            if not held:
                # As in Jira, != and NOT IN never match an empty field.
                return positive and include_empty
            hit = any(a in wanted for a in held)
            return hit if positive else not hit

        return multi_match

    def single_match(issue: Issue) -> bool:
        held = getter(issue)
        if held is None:
            return positive and include_empty
        return (held in wanted) == positive

    return single_match


def _text_of(operand: Operand) -> str:
    if isinstance(operand, Value):
        return operand.text
    if isinstance(operand, Function):
        return operand.name + "()"
    return ""


def _atom_getter(definition: FieldDef) -> tuple[Callable[[Issue], Any], bool]:
    """How to read the compared value of an issue, and whether it is multi-valued."""
    kind, field_id = definition.kind, definition.id
    getters: dict[str, Callable[[Issue], Any]] = {
        "project": lambda i: i.project.key,
        "issuetype": lambda i: i.issuetype.id,
        "status": lambda i: i.status.id,
        "statuscategory": lambda i: i.status.category.id,
        "resolution": lambda i: i.resolution.id if i.resolution else None,
        "priority": lambda i: i.priority.id if i.priority else None,
        "parent": lambda i: i.parent.id if i.parent else None,
        "epiclink": lambda i: i.custom.get(field_id),
        "issuekey": lambda i: i.id,
    }
    if kind in getters:
        return getters[kind], False
    if kind == "user":
        return (lambda i: (getattr(i, field_id) or _NOBODY).account_id or None), False
    if kind == "labels":
        return (lambda i: [label.lower() for label in i.labels]), True
    if kind == "sprint":
        return (lambda i: i.custom.get(field_id) or []), True
    raise JqlError(f"Field '{definition.name}' does not support searching.")


_NOBODY = User("", "", "")


def _atom(definition: FieldDef, value: Value, ctx: Context, name: str) -> Any:
    text, kind, state = value.text, definition.kind, ctx.state
    lowered = text.lower()
    if kind == "project":
        return _project_key(text, ctx, name)
    if kind == "issuetype":
        for t in state.issue_types:
            if lowered in (t.name.lower(), t.id):
                return t.id
    elif kind == "status":
        for s in state.statuses.values():
            if lowered in (s.name.lower(), s.id):
                return s.id
    elif kind == "statuscategory":
        for c in state.status_categories:
            if lowered in (c.name.lower(), c.key, str(c.id)):
                return c.id
    elif kind == "resolution":
        if lowered == "unresolved":
            return None
        for r in state.resolutions.values():
            if lowered in (r.name.lower(), r.id):
                return r.id
    elif kind == "priority":
        for p in state.priorities:
            if lowered in (p.name.lower(), p.id):
                return p.id
    elif kind == "user":
        for u in state.users.values():
            if text in (u.account_id, u.email) or lowered == u.display_name.lower():
                return u.account_id
    elif kind in ("parent", "issuekey"):
        return _issue(text, ctx, name).id
    elif kind == "epiclink":
        return _issue(text, ctx, name).key
    elif kind == "labels":
        return lowered
    elif kind == "sprint":
        if text.isdigit() and int(text) in state.sprints:
            return int(text)
        named = [s.id for s in state.sprints.values() if s.name.lower() == lowered]
        if named:
            return named[0]
    raise JqlError(f"The value '{text}' does not exist for the field '{name}'.")


def _project_key(text: str, ctx: Context, name: str) -> str:
    lowered = text.lower()
    for project in ctx.state.projects.values():
        if lowered in (project.key.lower(), project.name.lower(), project.id):
            return project.key
    raise JqlError(f"The value '{text}' does not exist for the field '{name}'.")


def _issue(text: str, ctx: Context, name: str) -> Issue:
    if text.isdigit():
        found = ctx.state.issues_by_id.get(int(text))
        if found is None:
            raise JqlError(f"An issue with id '{text}' does not exist for field '{name}'.")
        return found
    if not _KEY.match(text):
        raise JqlError(f"The issue key '{text}' for field '{name}' is invalid.")
    issue = ctx.state.issues_by_key.get(text.upper())
    if issue is None:
        raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
    return issue


def _function_atoms(definition: FieldDef, function: Function, ctx: Context, name: str) -> set[Any]:
    lowered = function.name.lower()
    if definition.kind == "sprint" and lowered in _SPRINT_FUNCTIONS:
        states = {
            "opensprints": ("active", "future"),
            "closedsprints": ("closed",),
            "futuresprints": ("future",),
        }[lowered]
        return {s.id for s in ctx.state.sprints.values() if s.state in states}
    if definition.kind == "user" and lowered in _USER_FUNCTIONS:
        return {ctx.user.account_id}
    raise _unknown_function(function, name)


def _was_clause(clause: Clause, ctx: Context) -> Predicate:
    """``status WAS [NOT] [IN] ...``: any status the issue ever had."""
    definition = _field(clause.field, ctx)
    wanted = {
        _atom(definition, item, ctx, clause.field.name)
        for item in _operand_items(clause.operand)
        if isinstance(item, Value)
    }
    negated = "not" in clause.operator

    def ever(issue: Issue) -> bool:
        held: set[str | None] = {issue.status.id}
        for history in issue.histories:
            for item in history.items:
                if item.field_id == "status":
                    held.add(item.from_)
                    held.add(item.to)
        return bool(held & wanted) != negated

    return ever


# --- keys, numbers, dates, text ------------------------------------------------------------


def _key_range(clause: Clause, ctx: Context) -> Predicate:
    if not isinstance(clause.operand, Value):
        raise JqlError(
            f"The operator '{clause.operator}' is not supported by the '{clause.field.name}' field."
        )
    target = _issue(clause.operand.text, ctx, clause.field.name)
    project, number = target.project.key, target.number
    compare = _COMPARE[clause.operator]
    return lambda i: i.project.key == project and compare(i.number, number)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _ordered_clause(getter: Callable[[Issue], Any], clause: Clause, values: list[Any]) -> Predicate:
    op = clause.operator
    if isinstance(clause.operand, Empty) or op in ("is", "is not"):
        empty = op in ("is", "=", "in")
        return (lambda i: getter(i) is None) if empty else (lambda i: getter(i) is not None)
    if op in ("in", "not in"):
        members = set(values)
        positive = op == "in"
        return lambda i: (v := getter(i)) is not None and ((v in members) == positive)
    compare, bound = _COMPARE[op], values[0]
    return lambda i: (v := getter(i)) is not None and compare(v, bound)


def _number_clause(definition: FieldDef, clause: Clause, ctx: Context) -> Predicate:
    field_id = definition.id
    values: list[float] = []
    for item in _operand_items(clause.operand):
        if isinstance(item, Function):
            raise _unknown_function(item, clause.field.name)
        try:
            values.append(float(item.text))
        except ValueError:
            raise JqlError(
                f"The value '{item.text}' is not a valid number for the field "
                f"'{clause.field.name}'."
            ) from None
    return _ordered_clause(lambda i: i.custom.get(field_id), clause, values)


_DATE_GETTERS: dict[str, Callable[[Issue], datetime | None]] = {
    "created": lambda i: i.created,
    "updated": lambda i: i.updated,
    "resolutiondate": lambda i: i.resolutiondate,
    "statuscategorychangedate": lambda i: i.status_changed,
}


def _date_clause(definition: FieldDef, clause: Clause, ctx: Context) -> Predicate:
    values: list[datetime] = []
    week_starts_sunday = ctx.user.locale == "en_US"
    for item in _operand_items(clause.operand):
        if isinstance(item, Function):
            if item.name.lower() not in dates.DATE_FUNCTIONS:
                raise _unknown_function(item, clause.field.name)
            ctx.uses_now = True
            values.append(
                dates.date_function(
                    item.name,
                    item.args,
                    tz=ctx.tz,
                    now=ctx.now,
                    week_starts_sunday=week_starts_sunday,
                )
            )
            continue
        moment, relative = dates.parse_date(
            item.text, quoted=item.quoted, field=clause.field.name, tz=ctx.tz, now=ctx.now
        )
        ctx.uses_now = ctx.uses_now or relative
        values.append(moment)
    return _ordered_clause(_DATE_GETTERS[definition.id], clause, values)


def _text_clause(definition: FieldDef, clause: Clause, ctx: Context) -> Predicate:
    if isinstance(clause.operand, Empty) or clause.operator in ("is", "is not"):
        getter = _text_getter(definition)
        empty = clause.operator in ("is", "=")
        return (lambda i: not getter(i)) if empty else (lambda i: bool(getter(i)))
    if not isinstance(clause.operand, Value):
        raise JqlError(
            f"The operator '{clause.operator}' is not supported by the '{clause.field.name}' field."
        )
    matches = text_matcher(clause.operand.text)
    getter = _text_getter(definition)
    positive = clause.operator == "~"
    return lambda i: matches(getter(i)) == positive


def _text_getter(definition: FieldDef) -> Callable[[Issue], str]:
    if definition.id == "summary":
        return lambda i: i.summary
    if definition.id == "description":
        return lambda i: plain_text(i.description) or ""
    if definition.id == "comment":
        return lambda i: " ".join(plain_text(c.body) or "" for c in i.comments)
    return lambda i: " ".join(
        [i.summary, plain_text(i.description) or ""]
        + [plain_text(c.body) or "" for c in i.comments]
    )
