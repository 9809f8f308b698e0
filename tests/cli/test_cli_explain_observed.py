"""explain: since when okrsync has observed the fields a source's tool keeps no history of."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from okrsync.cli.explain import observed_since
from okrsync.items import TrackedField

SINCE = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)


class Observations:
    def observed_since(self, source: str) -> dict[TrackedField, datetime]:
        if source == "github":
            return {TrackedField.SPRINT: SINCE, TrackedField.ESTIMATE: SINCE}
        return {}  # jira keeps every history


def result(*sources: str) -> Any:
    return SimpleNamespace(evidence={"items": [{"source": s, "key": "k"} for s in sources]})


def test_only_sources_with_observed_fields_are_named_with_each_field() -> None:
    found = observed_since(Observations(), result("jira", "github", "github"))
    assert found == {
        "github": {"estimate": "2027-01-05T09:30:00+00:00", "sprint": "2027-01-05T09:30:00+00:00"}
    }


def test_without_a_store_or_items_nothing_is_said() -> None:
    assert observed_since(None, result("github")) == {}
    assert observed_since(Observations(), result()) == {}
