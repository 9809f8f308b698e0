"""The instants the sandbox tests share (see DATASET.md)."""

from __future__ import annotations

from datetime import UTC, datetime

ANCHOR = datetime(2027, 1, 1, tzinfo=UTC)
# After every seeded event (the last is A+46d 15:00), so writes land after history.
NOW = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
