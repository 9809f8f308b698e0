"""What makes a saved plan safe to apply: it was made from this store and is unchanged
since, and every write it lists goes where the current mappings push.

``plan`` adds two keys to its document: ``store_id`` (the store it was made from) and
``checksum``, an HMAC-SHA256 of the store id and the plan's writes under the store's
own secret. Only that store can make a checksum that matches, so a plan file that was
edited, or made from another store, is refused before anything is read or written.
Checking the writes against the mappings closes the rest: even an authentic plan
cannot write to a target the mappings no longer declare.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from okrsync.connector import PushTarget
from okrsync.errors import ConfigError
from okrsync.mapping.models import KeyResult
from okrsync.plan import PlannedWrite, targets_of
from okrsync.run_record import describe_write

if TYPE_CHECKING:
    from okrsync.store import Store

CHECKSUM_PREFIX = "hmac-sha256:"


def fresh_plan_advice(plan_file: str) -> str:
    """How a refused saved plan ends: what happened, and the command that helps."""
    return (
        f"nothing was written: make a fresh plan with 'okrsync plan --out {plan_file}' "
        "and apply that"
    )


def _pushes(document: Mapping[str, Any]) -> list[Any]:
    """Every push of the document with its KR id, as the JSON file holds them."""
    return [
        [kr.get("id"), push]
        for kr in document.get("key_results") or []
        if isinstance(kr, Mapping)
        for push in kr.get("pushes") or []
    ]


def checksum(document: Mapping[str, Any], store_id: str, secret: bytes) -> str:
    """The HMAC of the store id and the document's pushes, over canonical JSON (keys
    sorted, no spaces) of what the file holds, so that saving and reading it again
    gives the same text."""
    pushes = json.loads(json.dumps(_pushes(document), default=str))
    canonical = json.dumps([store_id, pushes], sort_keys=True, separators=(",", ":"))
    digest = hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()
    return CHECKSUM_PREFIX + digest


def bind(document: dict[str, Any], store: Store) -> dict[str, Any]:
    """The ``plan`` document with the keys that bind it to ``store``."""
    store_id, secret = store.identity()
    return {**document, "store_id": store_id, "checksum": checksum(document, store_id, secret)}


def check_binding(document: Mapping[str, Any], store: Store, plan_file: str) -> None:
    """Refuse a plan that this store did not make, or that changed since it did."""
    store_id, secret = store.identity()
    told_id, told_sum = document.get("store_id"), document.get("checksum")
    if not isinstance(told_id, str) or not isinstance(told_sum, str):
        raise ConfigError(
            f"plan file {plan_file} carries no store_id and checksum, so nothing shows "
            f"that this store made it; {fresh_plan_advice(plan_file)}"
        )
    if told_id != store_id:
        raise ConfigError(
            f"plan file {plan_file} was made from another store ({told_id}), not from "
            f"{store.url} ({store_id}); {fresh_plan_advice(plan_file)}"
        )
    if not hmac.compare_digest(told_sum, checksum(document, store_id, secret)):
        raise ConfigError(
            f"plan file {plan_file} was changed after it was saved: its checksum does not "
            f"match its writes; {fresh_plan_advice(plan_file)}"
        )


def _declares(declared: PushTarget, write: PushTarget, creates: bool) -> bool:
    """Whether a write goes where a declared target is: same kind, field and create
    spec, and the declared issue (a write planned before the KR's issue was created,
    when its push ``creates`` one, names none)."""
    return (
        declared.what == write.what
        and declared.field == write.field
        and (declared.field_value == write.field_value or write.what != "field")
        and dict(declared.create or {}) == dict(write.create or {})
        and (write.issue == declared.issue or (write.issue is None and creates))
    )


def undeclared_write(
    writes: Iterable[PlannedWrite],
    key_results: Mapping[str, KeyResult],
    created_issue: Callable[[str, str], str | None],
) -> str | None:
    """The first write that goes nowhere the mappings push to, described; or None.
    ``created_issue(kr, instance)`` is the issue okrsync created for a KR."""
    for write in writes:
        target = write.target
        kr = key_results.get(target.kr_id)
        if kr is None:
            return f"a write for KR '{target.kr_id}', which no mapping defines"
        declared = [
            (candidate, push.create is not None)
            for push in kr.push
            if push.to == target.to
            for candidate in targets_of(kr, push, created_issue(kr.id, push.to))
        ]
        if not any(_declares(candidate, target, creates) for candidate, creates in declared):
            return (
                f"a write to {describe_write(target)} in '{target.to}' for KR "
                f"'{target.kr_id}', which its mapping does not push to"
            )
    return None


def check_declared(
    writes: Iterable[PlannedWrite],
    key_results: Mapping[str, KeyResult],
    store: Store,
    plan_file: str,
) -> None:
    """Refuse a plan with a write to a target the current mappings do not declare."""
    found = undeclared_write(writes, key_results, store.created_issue)
    if found is not None:
        raise ConfigError(f"plan file {plan_file} lists {found}; {fresh_plan_advice(plan_file)}")
