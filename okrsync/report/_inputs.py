"""Gathering what the report draws from a loaded project and its store: each KR's
history and its cycle's bounds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync.closing import closures_document
from okrsync.insights import insights
from okrsync.report._page import render_report

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store


def kr_histories(project: Project, store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every recorded and back-filled point of each KR, oldest first."""
    return {
        ref.id: [
            {
                "as_of": point.as_of,
                "value": point.value,
                "progress": point.progress,
                "expected": point.expected,
                "status": point.status or "",
                "backfilled": point.backfilled,
            }
            for point in store.kr_history(ref.id)
        ]
        for ref in project.key_results()
    }


def kr_cycles(project: Project) -> dict[str, tuple[datetime, datetime]]:
    """Each KR's cycle as instants: the start of its first day to the end of its last,
    in the project's time zone."""
    zone = project.timezone
    return {ref.id: (ref.cycle.start(zone), ref.cycle.end(zone)) for ref in project.key_results()}


def build_report(
    project: Project,
    store: Store,
    document: Mapping[str, Any],
    *,
    title: str = "OKRs",
    with_insights: bool = True,
) -> str:
    """The report of ``document`` (``Evaluation.to_dict()`` or ``Plan.to_dict()``), with
    the history the store holds and dates in the project's time zone. Without
    ``with_insights`` the insights section is left out (the dashboard shows its own)."""
    closed = closures_document(store)
    extra: dict[str, Any] = {"closed_cycles": closed} if closed else {}
    if closed and with_insights:
        extra["insights"] = insights(project, store)
    return render_report(
        {**document, **extra},
        kr_histories(project, store),
        kr_cycles(project),
        title=title,
        timezone=project.timezone,
    )
