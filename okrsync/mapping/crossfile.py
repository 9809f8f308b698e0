"""Checks that need every loaded mapping file and the config at once.

Ids are unique across all files, ``aligns_to`` names an objective that exists and the
alignments form a tree, every connector instance a mapping names is defined and its
type can do what the mapping asks of it (``Capabilities``: a selection needs work
items, ``metric`` a metric source, a push the kind of push), every selection has a
source, and no two KRs write to the same place in a tool.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from okrsync.connector import PUSH_KINDS, Capabilities
from okrsync.errors import Problem
from okrsync.mapping.loader import DataPath, MappingDoc, did_you_mean
from okrsync.mapping.models import KeyResult, Objective
from okrsync.mapping.references import metrics_of, selections_of


@dataclass(frozen=True, eq=False)
class _Site:
    """Something defined at a place in a mapping file."""

    doc: MappingDoc
    path: DataPath

    def same(self, other: _Site | None) -> bool:
        return other is not None and other.doc is self.doc and other.path == self.path

    @property
    def where(self) -> str:
        return self.doc.where(self.path)

    def problem(self, message: str, *, sub: DataPath = ()) -> Problem:
        if self.doc.yaml is None:
            return Problem(self.doc.file, 1, 1, message)
        return self.doc.yaml.problem((*self.path, *sub), message)


def _objectives(docs: list[MappingDoc]) -> Iterator[tuple[_Site, Objective]]:
    for doc in docs:
        for index, objective in doc.objectives:
            yield _Site(doc, ("objectives", index)), objective


def _key_results(docs: list[MappingDoc]) -> Iterator[tuple[_Site, KeyResult]]:
    """Every KR valid on its own, even inside an objective with problems elsewhere."""
    for doc in docs:
        for path, kr in doc.key_results:
            yield _Site(doc, path), kr


def _written(docs: list[MappingDoc], what: str) -> Iterator[tuple[_Site, str]]:
    """Every objective (``what="objectives"``) or KR id as written, valid or not, so that
    a problem inside an objective does not hide that its id is taken twice."""
    for doc in docs:
        data = doc.yaml.data if doc.yaml is not None else None
        objectives = data.get("objectives") if isinstance(data, dict) else None
        for i, objective in enumerate(objectives if isinstance(objectives, list) else []):
            if not isinstance(objective, dict):
                continue
            path: DataPath = ("objectives", i)
            if what == "objectives":
                if isinstance(objective.get("id"), str):
                    yield _Site(doc, path), objective["id"]
                continue
            krs = objective.get("key_results")
            for j, kr in enumerate(krs if isinstance(krs, list) else []):
                if isinstance(kr, dict) and isinstance(kr.get("id"), str):
                    yield _Site(doc, (*path, "key_results", j)), kr["id"]


def check(docs: list[MappingDoc], connectors: Mapping[str, Capabilities | None]) -> list[Problem]:
    """Every problem across ``docs``. ``connectors``: every defined instance name, with
    its type's capabilities (None when the instance itself is invalid: its problem is
    reported, and what it can do is unknown)."""
    problems: list[Problem] = []
    objectives = _unique(list(_written(docs, "objectives")), "objective", problems)
    _unique(list(_written(docs, "key_results")), "key result", problems)
    problems.extend(_alignment(docs, objectives))
    problems.extend(_sources(docs, connectors))
    problems.extend(_push_conflicts(docs))
    return problems


def _unique(
    entries: list[tuple[_Site, str]], what: str, problems: list[Problem]
) -> dict[str, _Site]:
    first: dict[str, _Site] = {}
    for site, ident in entries:
        if ident in first:
            problems.append(
                site.problem(f"duplicate {what} id '{ident}': also defined at {first[ident].where}")
            )
        else:
            first[ident] = site
    return first


# --- alignment --------------------------------------------------------------------------


def _alignment(docs: list[MappingDoc], defined: dict[str, _Site]) -> list[Problem]:
    problems: list[Problem] = []
    parent: dict[str, str] = {}
    valid = {o.id for site, o in _objectives(docs) if site.same(defined.get(o.id))}
    for site, objective in _objectives(docs):
        target = objective.aligns_to
        if target is None or objective.id not in valid or not site.same(defined[objective.id]):
            continue
        if target not in defined:
            hint = did_you_mean(target, sorted(defined))
            problems.append(
                site.problem(
                    f"objective '{objective.id}' aligns_to '{target}', which no loaded mapping "
                    f"file defines{hint}",
                    sub=("aligns_to",),
                )
            )
            continue
        if target in valid:  # an invalid parent has problems of its own
            parent[objective.id] = target
    reported: set[str] = set()
    for start in parent:
        chain = [start]
        while chain[-1] in parent and parent[chain[-1]] not in chain:
            chain.append(parent[chain[-1]])
        if chain[-1] not in parent:
            continue  # reached a top-level objective
        loop = chain[chain.index(parent[chain[-1]]) :]
        if reported & set(loop):
            continue
        reported.update(loop)
        head = min(loop, key=lambda i: (defined[i].doc.file, defined[i].path))
        ordered = loop[loop.index(head) :] + loop[: loop.index(head)]
        text = " → ".join([*ordered, head])
        problems.append(
            defined[head].problem(
                f"alignment cycle: {text}; an objective cannot be aligned to itself, "
                "directly or through its parents",
                sub=("aligns_to",),
            )
        )
    return problems


# --- connector instances ----------------------------------------------------------------


def _unknown(name: str, connectors: list[str]) -> str:
    if not connectors:
        return f"unknown connector '{name}': the config file defines no connectors"
    return (
        f"unknown connector '{name}'{did_you_mean(name, connectors)}; "
        f"defined connectors: {', '.join(connectors)}"
    )


@dataclass(frozen=True)
class _Use:
    """What a mapping asks of a connector instance: a selection (work items), a metric,
    or a push of some kinds."""

    path: DataPath  # the selection, or the value naming the instance
    name: str | None
    selection: bool = False
    metric: bool = False
    push: tuple[str, ...] = ()

    def lacking(self, can: Capabilities) -> str | None:
        """What the instance's type cannot do of this use, in words; None if it can."""
        if self.selection and not can.items:
            return "a selection (work items)"
        if self.metric and not can.metrics:
            return "a metric"
        missing = [kind for kind in self.push if kind not in can.push]
        if missing:
            return f"a push of {', '.join(missing)}"
        return None

    def able(self, can: Capabilities) -> bool:
        return self.lacking(can) is None


def _references(kr: KeyResult) -> Iterator[_Use]:
    """Every use a KR makes of a connector instance."""
    for path, selection in selections_of(kr):
        yield _Use(path, selection.source, selection=True)
    for path, metric in metrics_of(kr):
        yield _Use(path, metric.source, metric=True)
    for index, push in enumerate(kr.push):
        yield _Use(("push", index, "to"), push.to, push=_push_kinds(push))


def _push_kinds(push: Any) -> tuple[str, ...]:
    asked = {
        "field": push.field is not None,
        "comment": push.comment,
        "property": push.property,
        "create": push.create is not None,
    }
    return tuple(kind for kind in PUSH_KINDS if asked[kind])


def _sources(
    docs: list[MappingDoc], connectors: Mapping[str, Capabilities | None]
) -> list[Problem]:
    problems: list[Problem] = []
    names = sorted(connectors)
    for doc in docs:
        default = doc.defaults.source
        if default is not None and default not in connectors and doc.yaml is not None:
            problems.append(doc.yaml.problem(("defaults", "source"), _unknown(default, names)))
    for site, kr in _key_results(docs):
        default = site.doc.defaults.source
        for use in _references(kr):
            name = use.name if use.name is not None or not use.selection else default
            if name is None:
                listed = ", ".join(names) or "none"
                problems.append(
                    site.problem(
                        "this selection names no 'source' and the file has no "
                        "'defaults: {source: ...}'; add one of them "
                        f"(defined connectors: {listed})",
                        sub=use.path,
                    )
                )
                continue
            sub = (*use.path, "source") if use.selection and use.name is not None else use.path
            if name not in connectors:
                if use.name is not None:  # an unknown default is reported once, above
                    problems.append(site.problem(_unknown(name, names), sub=sub))
                continue
            refusal = _incapable(name, use, connectors)
            if refusal is not None:
                problems.append(site.problem(refusal, sub=sub))
    return problems


def _incapable(name: str, use: _Use, connectors: Mapping[str, Capabilities | None]) -> str | None:
    """Why the instance's type cannot serve the use; None if it can (or is unknown)."""
    can = connectors[name]
    lacking = use.lacking(can) if can is not None else None
    if can is None or lacking is None:
        return None
    able = [other for other, c in sorted(connectors.items()) if c is not None and use.able(c)]
    instead = (
        f"connectors that can: {', '.join(able)}"
        if able
        else "no defined connector can; add one of a type that can"
    )
    return (
        f"connector '{name}' cannot serve {lacking}: its type provides {can.describe()}; {instead}"
    )


# --- pushes -----------------------------------------------------------------------------


def _push_conflicts(docs: list[MappingDoc]) -> list[Problem]:
    """Two KRs writing the same field, comment or property would overwrite each other."""
    problems: list[Problem] = []
    owners: dict[tuple[str, ...], tuple[_Site, str]] = {}
    for site, kr in _key_results(docs):
        for index, push in enumerate(kr.push):
            if push.issue is None:
                continue
            issue = push.issue.upper()
            places: list[tuple[tuple[str, ...], str]] = []
            spec = push.field_spec
            if spec is not None:
                places.append(
                    ((push.to, issue, "field", spec.name.lower()), f"field '{spec.name}'")
                )
            if push.comment:
                places.append(((push.to, issue, "comment"), "the okrsync comment"))
            if push.property:
                places.append(((push.to, issue, "property"), "the okrsync property"))
            for place, label in places:
                if place in owners:
                    other, other_id = owners[place]
                    problems.append(
                        site.problem(
                            f"key results '{other_id}' and '{kr.id}' both write {label} of "
                            f"{push.issue} (see {other.where}); give each KR its own issue",
                            sub=("push", index),
                        )
                    )
                else:
                    owners[place] = (site, kr.id)
    return problems
