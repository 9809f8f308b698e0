"""The ``fields`` request parameter: ``*all``, ``*navigable``, ids, ``-excluded``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from okrsync_sandbox.state import SandboxState

_ID_ONLY = frozenset({"id", "key"})


@dataclass(frozen=True)
class FieldRequest:
    ids: list[str] | None  # None: Cloud's id-only issues
    light: bool  # only ids/keys were asked for, so a page may hold up to 5,000 issues


def split(values: Iterable[str] | str | None) -> list[str]:
    """Accept a list, repeated parameters and comma-separated strings alike."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def resolve(values: Iterable[str] | str | None, default: str, state: SandboxState) -> FieldRequest:
    tokens = split(values) or [default]
    if all(t in _ID_ONLY for t in tokens):
        return FieldRequest(None if set(tokens) == {"id"} else [], True)
    chosen: list[str] = []
    excluded: set[str] = set()
    for token in tokens:
        if token.startswith("-"):
            excluded.add(token[1:])
        elif token == "*all":
            chosen.extend(state.fields)
        elif token == "*navigable":
            chosen.extend(f.id for f in state.fields.values() if f.navigable)
        elif token in state.fields:
            chosen.append(token)
    ordered = list(dict.fromkeys(f for f in chosen if f not in excluded))
    return FieldRequest(ordered, False)
