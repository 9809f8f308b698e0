"""The configured organization project: its Status options, estimate and iteration
fields, and its iterations (the sprints)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from okrsync.errors import FieldNotFound, ProtocolError, StaleMetadata
from okrsync.items import Sprint
from okrsync_github import queries
from okrsync_github.client import GitHubClient
from okrsync_github.settings import GitHubSettings

__all__ = ["ProjectInfo", "load_project", "project_info", "read_project"]

# Contract 6.1: the estimate is the first of these number fields that exists.
ESTIMATE_NAMES = ("Estimate", "Story Points", "Points", "Size")


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    ref: str  # acme/5
    number_fields: Mapping[str, str]  # name -> field id
    status_options: tuple[str, ...]
    estimate_field: str | None
    iteration_field: str | None
    in_progress: frozenset[str]
    sprints: tuple[Sprint, ...]
    # Read by an earlier run: an option or iteration unknown here may be a new one.
    kept: bool = False

    def check_known(self, status: str | None, iteration: str | None, *, source: str) -> None:
        """``StaleMetadata`` when a kept project does not know an item's Status option
        or iteration (an answer read just now is taken as it is)."""
        if not self.kept:
            return
        if status is not None and status not in self.status_options:
            unknown = f"Status option {status!r}"
        elif iteration is not None and all(s.id != iteration for s in self.sprints):
            unknown = f"iteration {iteration}"
        else:
            return
        raise StaleMetadata(
            f"project {self.ref}'s {unknown} is not among those read earlier",
            source=source,
        )


async def load_project(client: GitHubClient, settings: GitHubSettings) -> ProjectInfo | None:
    """The project of ``settings.project`` (one GraphQL request), or None without one."""
    found = await read_project(client, settings)
    return None if found is None else project_info(found, settings, client.source)


async def read_project(client: GitHubClient, settings: GitHubSettings) -> Mapping[str, Any] | None:
    """GitHub's answer about the project of ``settings.project`` (one GraphQL request),
    or None without one: what ``project_info`` makes sense of, at any later time."""
    ref = settings.project_ref
    if ref is None:
        return None
    data = await client.graphql(queries.PROJECT, {"owner": ref[0], "number": ref[1]})
    project = ((data or {}).get("organization") or {}).get("projectV2")
    if not isinstance(project, Mapping):
        raise ProtocolError(
            f"GitHub answered without project {settings.project}", source=client.source
        )
    return project


def project_info(
    project: Mapping[str, Any], settings: GitHubSettings, source: str, *, kept: bool = False
) -> ProjectInfo:
    """The project as ``read_project`` answered; its iterations' states as of now."""
    fields = [f for f in (project.get("fields") or {}).get("nodes") or [] if isinstance(f, Mapping)]
    numbers = {f["name"]: f["id"] for f in fields if f.get("dataType") == "NUMBER"}
    iteration_fields = [f for f in fields if f.get("dataType") == "ITERATION"]
    status = next((f for f in fields if f.get("name") == "Status"), None)
    options = tuple(o["name"] for o in (status or {}).get("options") or [])
    where = f"project {settings.project}"
    estimate = _estimate_field(settings, numbers, where, source)
    iteration = _iteration_field(settings, iteration_fields, where, source)
    chosen = next((f for f in iteration_fields if f["name"] == iteration), None)
    return ProjectInfo(
        id=str(project["id"]),
        ref=str(settings.project),
        number_fields=numbers,
        status_options=options,
        estimate_field=estimate,
        iteration_field=iteration,
        in_progress=_in_progress(settings, options, where, source),
        sprints=tuple(_sprints(chosen, source)) if chosen else (),
        kept=kept,
    )


def _estimate_field(
    settings: GitHubSettings, numbers: Mapping[str, str], where: str, source: str
) -> str | None:
    if settings.estimate_field is None:
        return next((name for name in ESTIMATE_NAMES if name in numbers), None)
    if settings.estimate_field not in numbers:
        listed = ", ".join(sorted(numbers)) or "none"
        raise FieldNotFound(
            f"{where} has no number field {settings.estimate_field!r} (estimate_field); "
            f"its number fields: {listed}",
            source=source,
        )
    return settings.estimate_field


def _iteration_field(
    settings: GitHubSettings, fields: list[Mapping[str, Any]], where: str, source: str
) -> str | None:
    names = [str(f["name"]) for f in fields]
    if settings.iteration_field is None:
        return names[0] if names else None
    if settings.iteration_field not in names:
        raise FieldNotFound(
            f"{where} has no iteration field {settings.iteration_field!r} (iteration_field); "
            f"its iteration fields: {', '.join(names) or 'none'}",
            source=source,
        )
    return settings.iteration_field


def _in_progress(
    settings: GitHubSettings, options: tuple[str, ...], where: str, source: str
) -> frozenset[str]:
    if settings.in_progress is not None:
        # A misspelt option would silently never be in progress.
        unknown = [name for name in settings.in_progress if name not in options]
        if unknown:
            raise FieldNotFound(
                f"{where} has no Status option {unknown[0]!r} (in_progress); its options: "
                + ", ".join(options),
                source=source,
            )
        return frozenset(settings.in_progress)
    # Contract 6.1: every option but the first one and one named Done.
    return frozenset(o for o in options[1:] if o.lower() != "done")


def _sprints(field: Mapping[str, Any], source: str) -> list[Sprint]:
    """Iterations as sprints: one closes at its start plus its duration."""
    config = field.get("configuration") or {}
    now = datetime.now(UTC)
    out = []
    for entry in [*config.get("completedIterations", []), *config.get("iterations", [])]:
        start = datetime.combine(date.fromisoformat(entry["startDate"]), time(0), tzinfo=UTC)
        end = start + timedelta(days=int(entry["duration"]))
        state = "closed" if end <= now else "active" if start <= now else "future"
        out.append(
            Sprint(
                source=source,
                id=str(entry["id"]),
                name=str(entry["title"]),
                state=state,
                start=start,
                end=end,
                completed=end,  # it closes then, whether or not that has come yet
            )
        )
    return out
