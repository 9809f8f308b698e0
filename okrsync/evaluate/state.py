"""An item as it was at an instant, rebuilt from its change history.

For each tracked field the value at T is the ``to_value`` of the last change at or
before T; before the first change it is that change's ``from_value``; an item with no
recorded change of a field keeps its current value. Everything else (type, labels,
other fields) is the current value: only tracked fields have a history. An item
``withdrawn`` at T (``TrackedField.WITHDRAWN``) is in no selection at T.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from okrsync.items import WITHDRAWN_VALUE, Change, Item, ItemType, StatusCategory, TrackedField

# Connectors write category values (each maps its tool's own words onto them, as the
# Jira connector maps Jira's keys); the spaced spellings are the same words.
_CATEGORY_NAMES = {
    "todo": StatusCategory.TODO,
    "to do": StatusCategory.TODO,
    "in_progress": StatusCategory.IN_PROGRESS,
    "in progress": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}


def parse_category(text: str | None) -> StatusCategory | None:
    if text is None:
        return None
    found = _CATEGORY_NAMES.get(text)
    return found if found is not None else _CATEGORY_NAMES.get(text.strip().lower())


def parse_estimate(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_sprints(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    if "," not in text:
        return (text.strip(),) if text.strip() else ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


# Not frozen: frozen dataclasses assign every field through object.__setattr__, which
# costs seconds over 100,000 items. Treat instances as read-only all the same.
@dataclass(slots=True, eq=False)
class ItemAt:
    """One item's state at an instant T (only ever built for items that exist at T)."""

    source: str
    key: str
    type: ItemType
    type_name: str
    project: str
    status: str
    status_category: StatusCategory
    done: bool  # the status category at T is done
    estimate: float | None
    sprints: tuple[str, ...]
    parent: str | None
    labels: tuple[str, ...]
    fields: Mapping[str, Any]
    created: datetime
    # First entry into an in-progress-category status at or before T (the creation
    # instant when the item started life in progress); None if it never was.
    started: datetime | None
    # The final entry into the done category at or before T, when the item is done at
    # T; a re-opened item that is done again only counts its last done.
    done_at: datetime | None
    # Taken out of every selection at T by the tool's own rules (see TrackedField).
    withdrawn: bool = False


# (category, first start, last entry into done) as of an instant.
_Facts = tuple[StatusCategory, datetime | None, datetime | None]


def _initial(category: StatusCategory | None, created: datetime) -> _Facts:
    """Facts at creation: an item created in progress (or done) entered it then."""
    category = category or StatusCategory.TODO
    started = created if category is StatusCategory.IN_PROGRESS else None
    return category, started, created if category is StatusCategory.DONE else None


_at = attrgetter("at")
# Bounds of the instants a state holds over when no moment of the item bounds them
# (see ``Timeline.state_at``).
_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)
_STATUS = TrackedField.STATUS.value
_CATEGORY = TrackedField.STATUS_CATEGORY.value
_ESTIMATE = TrackedField.ESTIMATE.value
_SPRINT = TrackedField.SPRINT.value
_PARENT = TrackedField.PARENT.value
_WITHDRAWN = TrackedField.WITHDRAWN.value


class Timeline:
    """An item with its history, readable at any instant.

    The history is kept as one time-ordered list and read in a single pass per
    instant: building 100,000 timelines costs a sort each, and most items are read
    at one instant only.
    """

    __slots__ = ("_after", "_held", "_moments", "_since", "changes", "item", "key")

    def __init__(self, item: Item, changes: Iterable[Change] = ()) -> None:
        self.item = item
        self.key = (item.source, item.key)
        # Stable: changes at the same instant keep the order the tool gave them.
        self.changes = sorted(changes, key=_at)
        # The last state ``state_at`` built, and the instants it holds over:
        # from ``_since`` (included) to ``_after`` (excluded); none yet.
        self._held: ItemAt | None = None
        self._since = _LAST
        self._after = _LAST
        # The instants the state can change at, sorted: made on the first ``state_at``.
        self._moments: list[datetime] | None = None

    def state_at(self, instant: datetime) -> ItemAt | None:
        """``at(instant)``, the very same object as for any earlier instant it is equal
        at. Evaluating day after day, most items have not changed since the day before:
        the state changes only at the item's creation, its resolution and its changes,
        so it is rebuilt only when ``instant`` passed one of these since."""
        if self._since <= instant < self._after:
            return self._held
        moments = self._moments
        if moments is None:
            item = self.item
            found = {item.created, *map(_at, self.changes)}
            if item.resolved is not None:
                found.add(item.resolved)
            moments = self._moments = sorted(found)
        index = bisect_right(moments, instant)
        self._since = moments[index - 1] if index else _FIRST
        self._after = moments[index] if index < len(moments) else _LAST
        self._held = self.at(instant)
        return self._held

    @property
    def held_until(self) -> datetime:
        """The first instant after the last ``state_at`` at which the state may differ
        (``datetime.max`` when it never will)."""
        return self._after

    def sprint_ids_ever(self) -> set[str]:
        """Every sprint the item belonged to at some point (for velocity's candidates)."""
        ids = set(self.item.sprints)
        for change in self.changes:
            if change.field == _SPRINT:
                ids.update(parse_sprints(change.from_value))
                ids.update(parse_sprints(change.to_value))
        return ids

    def at(self, instant: datetime) -> ItemAt | None:
        """The item at ``instant``, or None if it was not created yet."""
        item = self.item
        if item.created > instant:
            return None
        raw: dict[str, str | None] = {}  # field -> its value at T, as stored
        facts: _Facts | None = None
        for change in self.changes:
            field = change.field
            if change.at > instant:
                # Before its first change a field held that change's from_value.
                if field not in raw:
                    raw[field] = change.from_value
                    if field == _CATEGORY and facts is None:
                        facts = _initial(parse_category(change.from_value), item.created)
                continue
            raw[field] = change.to_value
            if field == _CATEGORY:
                if facts is None:
                    facts = _initial(parse_category(change.from_value), item.created)
                facts = _enter(facts, change)
        category, started, done_entry = facts or self._current_facts(instant)
        done = category is StatusCategory.DONE
        return ItemAt(
            source=item.source,
            key=item.key,
            type=item.type,
            type_name=item.type_name,
            project=item.project,
            status=(raw[_STATUS] or "") if _STATUS in raw else item.status,
            status_category=category,
            done=done,
            estimate=parse_estimate(raw[_ESTIMATE]) if _ESTIMATE in raw else item.estimate,
            sprints=parse_sprints(raw[_SPRINT]) if _SPRINT in raw else item.sprints,
            parent=(raw[_PARENT] or None) if _PARENT in raw else item.parent,
            labels=item.labels,
            fields=item.fields,
            created=item.created,
            started=started,
            done_at=done_entry if done else None,
            withdrawn=_WITHDRAWN in raw and raw[_WITHDRAWN] == WITHDRAWN_VALUE,
        )

    def _current_facts(self, instant: datetime) -> _Facts:
        """Without category history, the current category is all there is; a done
        item's resolution date, when known and not after T, says when it was done."""
        item = self.item
        category, started, done_entry = _initial(item.status_category, item.created)
        resolved = item.resolved
        if done_entry is not None and resolved is not None and item.created <= resolved <= instant:
            done_entry = resolved
        return category, started, done_entry


def _enter(facts: _Facts, change: Change) -> _Facts:
    """The facts after a category change."""
    category, started, done_entry = facts
    new = parse_category(change.to_value) or StatusCategory.TODO
    if new is StatusCategory.IN_PROGRESS and started is None:
        started = change.at
    if new is StatusCategory.DONE and category is not StatusCategory.DONE:
        done_entry = change.at
    return new, started, done_entry
