"""What a connector author hands the conformance kit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from okrsync.connector import Connector, PushTarget
from okrsync.items import StatusCategory

# ``fault(status)`` makes the server answer ``status`` to every request while the
# context is open (the Jira sandbox: its fault switches).
Fault = Callable[[int], AbstractContextManager[object]]


@dataclass(frozen=True)
class Expected:
    """An item's state at an instant, as the tool's own history says it was. A field
    left None is not checked."""

    status_category: StatusCategory | None = None
    estimate: float | None = None
    sprints: tuple[str, ...] | None = None
    parent: str | None = None
    # Taken out of the selection by the tool's rules (GitHub: closed as not planned).
    withdrawn: bool | None = None


@dataclass
class ConformanceCase:
    """A connector under test and what its server holds.

    ``connector``: builds a fresh connector (a new process, with no memory) for the
    running server. ``query``: a native query matching ``keys`` exactly. ``states``:
    for instants in the past, the expected state of some of those keys (None: the item
    did not exist yet). ``pushes``: targets with a value to write and read back (one
    per push kind the type declares, but ``create``). ``create``: a ``create`` target
    with the value to create the item with. ``writes``: how many writing requests the
    server has received so far. ``fault``: makes the server fail with a status.
    ``secret``: the token, which no error message may contain."""

    connector: Callable[[], Connector]
    query: str
    keys: frozenset[str]
    states: Mapping[datetime, Mapping[str, Expected | None]]
    pushes: Sequence[tuple[PushTarget, Any]]
    writes: Callable[[], int]
    fault: Fault
    secret: str
    create: tuple[PushTarget, Any] | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)
