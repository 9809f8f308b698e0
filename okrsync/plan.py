"""Plan: for every push target, what okrsync would write and what the tool holds now.

Only differences become writes. A plan is a plain JSON document (``plan --json`` /
``--out``) so that ``apply --plan FILE`` can perform exactly what was reviewed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync.connector import Connector, PushTarget, PushWhat, as_written
from okrsync.evaluate import Evaluation, KrResult
from okrsync.failures import KrFailure
from okrsync.mapping.models import KeyResult, Push
from okrsync.summary import comment_text, field_value, issue_summary, property_document

if TYPE_CHECKING:
    from okrsync.store import Store

CREATE_PLACEHOLDER = "(new issue)"
WHATS: tuple[PushWhat, ...] = ("create", "field", "comment", "property")
VALUES = ("progress", "current")


@dataclass
class PlannedWrite:
    """One write apply will perform."""

    target: PushTarget
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "to": self.target.to,
            "target": self.target.issue or CREATE_PLACEHOLDER,
            "what": self.target.what,
            "old": self.old,
            "new": self.new,
        }
        if self.target.field:
            entry["field"] = self.target.field
            entry["field_value"] = self.target.field_value
        if self.target.create:
            entry["create"] = dict(self.target.create)
        return entry

    @classmethod
    def from_dict(cls, kr_id: str, entry: Mapping[str, Any]) -> PlannedWrite:
        """The write ``to_dict`` described; ``ValueError`` says what is wrong with it."""
        if not isinstance(entry, Mapping):
            raise ValueError("a push is not an object")
        what, to, issue = entry.get("what"), entry.get("to"), entry.get("target")
        if what not in WHATS:
            raise ValueError(f"'what' is {what!r}, not one of {', '.join(WHATS)}")
        if not isinstance(to, str) or not to:
            raise ValueError("'to' names no connector instance")
        if issue is not None and not isinstance(issue, str):
            raise ValueError("'target' is not an issue key")
        field_name, field_value = entry.get("field"), entry.get("field_value", "progress")
        if what == "field" and (not isinstance(field_name, str) or field_value not in VALUES):
            raise ValueError("a field push needs 'field' and a 'field_value' of progress/current")
        create = entry.get("create")
        if what == "create" and not isinstance(create, Mapping):
            raise ValueError("a create push needs 'create' with project and type")
        target = PushTarget(
            kr_id=kr_id,
            to=to,
            what=what,
            issue=None if issue in (None, CREATE_PLACEHOLDER) else issue,
            field=field_name,
            field_value=field_value,
            create=create,
        )
        return cls(target=target, old=entry.get("old"), new=entry.get("new"))


@dataclass
class Plan:
    as_of: datetime
    evaluation: Evaluation
    writes: dict[str, list[PlannedWrite]] = field(default_factory=dict)  # by KR id
    unchanged: int = 0
    failures: list[KrFailure] = field(default_factory=list)  # KRs left out of this plan

    @property
    def pending(self) -> int:
        return sum(len(w) for w in self.writes.values())

    def all_writes(self) -> list[PlannedWrite]:
        return [w for writes in self.writes.values() for w in writes]

    def to_dict(self, made: Iterable[PlannedWrite] | None = None) -> dict[str, Any]:
        """The ``plan --json`` document; with ``made``, each KR's ``pushes`` are the
        writes apply made instead of the pending ones (what a sync records)."""
        writes = self.writes
        if made is not None:
            writes = {}
            for write in made:
                writes.setdefault(write.target.kr_id, []).append(write)
        document = self.evaluation.to_dict()
        for kr in document["key_results"]:
            kr["pushes"] = [w.to_dict() for w in writes.get(kr["id"], [])]
        document["pending_writes"] = self.pending if made is None else 0
        document["unchanged_targets"] = self.unchanged
        document["failures"] = [f.to_dict() for f in self.failures]
        return document


def writes_from_document(document: Any) -> list[PlannedWrite]:
    """The writes of a saved plan (``plan --out``), in the order apply performs them.
    ``ValueError`` says where the document is not such a plan."""
    krs = document.get("key_results") if isinstance(document, Mapping) else None
    if not isinstance(krs, list):
        raise ValueError("it has no 'key_results' list")
    writes: list[PlannedWrite] = []
    for index, kr in enumerate(krs):
        kr_id = kr.get("id") if isinstance(kr, Mapping) else None
        pushes = kr.get("pushes") if isinstance(kr, Mapping) else None
        if not isinstance(kr_id, str) or not isinstance(pushes, list):
            raise ValueError(f"key_results[{index}] lacks an 'id' or a 'pushes' list")
        for number, entry in enumerate(pushes):
            try:
                writes.append(PlannedWrite.from_dict(kr_id, entry))
            except ValueError as error:
                raise ValueError(f"key_results[{index}].pushes[{number}]: {error}") from None
    return writes


def same_value(old: Any, new: Any) -> bool:
    """Whether a target holding ``old`` already holds ``new`` (numbers: as floats)."""
    if isinstance(old, int | float) and isinstance(new, int | float):
        return math.isclose(float(old), float(new), abs_tol=1e-9)
    return bool(old == new)


def targets_of(kr: KeyResult, push: Push, known_issue: str | None) -> list[PushTarget]:
    """The targets one ``push`` entry expands to; ``create`` comes first."""
    issue = push.issue or known_issue
    targets: list[PushTarget] = []
    if push.create is not None:
        spec = push.create.as_target()
        targets.append(PushTarget(kr.id, push.to, "create", issue=issue, create=spec))
    if (spec_field := push.field_spec) is not None:
        targets.append(
            PushTarget(
                kr.id,
                push.to,
                "field",
                issue=issue,
                field=spec_field.name,
                field_value=spec_field.value,
            )
        )
    if push.comment:
        targets.append(PushTarget(kr.id, push.to, "comment", issue=issue))
    if push.property:
        targets.append(PushTarget(kr.id, push.to, "property", issue=issue))
    return targets


def desired_value(target: PushTarget, result: KrResult) -> Any:
    if target.what == "field":
        return field_value(result, target.field_value)
    if target.what == "comment":
        return comment_text(result)
    if target.what == "property":
        return property_document(result)
    return issue_summary(result)


# What one push target holds now, as ``Connector.read`` tells it.
Held = tuple[PushTarget, Any]


async def read_held(
    kr: KeyResult, push: Push, store: Store, connector_for: Callable[[str], Connector]
) -> list[Held]:
    """Every target of one ``push`` entry with what the tool holds there now; for
    ``create``, the issue okrsync created for the KR, or None.

    Reading checks the target too (the issue exists, the field can be set on it), so a
    mistake is found before anything is written."""
    connector = connector_for(push.to)
    issue = push.issue
    if push.create is not None and issue is None:
        # The tool has the last word on the issue okrsync created: the store may have
        # lost its key (a crash right after creating it; the tool finds it by okrsync's
        # label), or the issue may be gone (then it is created anew).
        remembered = store.created_issue(kr.id, push.to)
        spec = push.create.as_target()
        lookup = PushTarget(kr.id, push.to, "create", issue=remembered, create=spec)
        issue = await connector.read(lookup)
        if issue is not None and issue != remembered:
            store.remember_created_issue(kr.id, push.to, issue)
    held: list[Held] = []
    for target in targets_of(kr, push, issue):
        if target.what == "create":
            held.append((target, issue))
        else:
            held.append((target, await connector.read(target) if target.issue else None))
    return held


def plan_writes(
    as_of: datetime,
    evaluation: Evaluation,
    held: Mapping[str, list[Held]],
    failures: Iterable[KrFailure] = (),
    connector_for: Callable[[str], Connector] | None = None,
) -> Plan:
    """Compare what okrsync would write for each evaluated KR with what ``held`` says
    its targets hold; KRs that were not evaluated (they failed) get no write. With
    ``connector_for``, what would be written is taken as each tool will hold it."""
    plan = Plan(as_of=as_of, evaluation=evaluation, failures=list(failures))
    for result in evaluation.key_results:
        for target, old in held.get(result.id, []):
            new = desired_value(target, result)
            if target.what == "create":
                if old is None:
                    plan.writes.setdefault(result.id, []).append(PlannedWrite(target, None, new))
                else:
                    plan.unchanged += 1
                continue
            if target.what == "field" and new is None:
                continue  # no value to write (e.g. an empty selection): keep the field
            if connector_for is not None:
                new = as_written(connector_for(target.to), target, new)
            if same_value(old, new):
                plan.unchanged += 1
            else:
                plan.writes.setdefault(result.id, []).append(PlannedWrite(target, old, new))
    return plan


async def build_plan(
    key_results: Iterable[KeyResult],
    evaluation: Evaluation,
    store: Store,
    connector_for: Callable[[str], Connector],
) -> Plan:
    """Compare what okrsync would write with what each tool holds now; the first
    target that cannot be read fails the plan."""
    held: dict[str, list[Held]] = {}
    for kr in key_results:
        for push in kr.push:
            held.setdefault(kr.id, []).extend(await read_held(kr, push, store, connector_for))
    return plan_writes(evaluation.as_of, evaluation, held, connector_for=connector_for)
