"""What compiling a query needs: the site, the user, the clock; field lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from okrsync_sandbox.jql.syntax import FieldRef
from okrsync_sandbox.model import FieldDef, User
from okrsync_sandbox.state import SandboxState


@dataclass
class Context:
    state: SandboxState
    user: User
    now: datetime
    tz: ZoneInfo
    errors: list[str]
    uses_now: bool = False


TEXT_FIELD = FieldDef("text", "text", "text", {}, ("text",), orderable=False)


def lookup_field(ref: FieldRef, ctx: Context) -> FieldDef | None:
    name = ref.name.strip().lower()
    if name == "text":
        return TEXT_FIELD
    if name.startswith("customfield_"):
        return ctx.state.fields.get(name)
    for definition in ctx.state.fields.values():
        if name in (c.lower() for c in definition.clause_names):
            return definition
        if definition.custom and name == definition.name.lower():
            return definition
    return None
