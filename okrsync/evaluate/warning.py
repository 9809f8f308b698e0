"""A warning and the items it names.

Whoever writes a warning knows which items it lists, so it hands them over with the
text: ``warning_items`` (okrsync.links) links exactly those, rather than guessing them
back from the words. An item is named by (source, key): two sources may hold the same
key, and an item a warning names need not be in the evidence (a withdrawn one, say)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

ItemRef = tuple[str, str]  # (source, key)


class KrWarning(NamedTuple):
    text: str
    items: tuple[ItemRef, ...] = ()

    def prefixed(self, label: str) -> KrWarning:
        """The same warning under a formula input's label (``fixed: ``)."""
        return KrWarning(label + self.text, self.items)


class Warns:
    """Warning texts (``warnings``, what every output shows) and, parallel to them, the
    items each names (``warned_items``). Results read back from the store carry texts
    only; their warnings name no item."""

    warnings: list[str]
    warned_items: list[tuple[ItemRef, ...]]

    def warn(self, text: str, items: tuple[ItemRef, ...] = ()) -> None:
        self.warned_items.extend(() for _ in range(len(self.warnings) - len(self.warned_items)))
        self.warnings.append(text)
        self.warned_items.append(items)

    def add_warnings(self, warnings: Iterable[KrWarning]) -> None:
        for warning in warnings:
            self.warn(*warning)

    def named_warnings(self) -> list[KrWarning]:
        """Each warning with the items it names."""
        named = self.warned_items
        return [
            KrWarning(text, named[index] if index < len(named) else ())
            for index, text in enumerate(self.warnings)
        ]
