"""What ``okrsync validate --online`` asks GitHub: whether a query runs, a field exists
in the project, an issue exists. Nothing is written."""

from __future__ import annotations

from okrsync.errors import FieldNotFound
from okrsync.items import is_estimate_field
from okrsync_github.client import GitHubClient
from okrsync_github.project import ProjectInfo
from okrsync_github.push import issue_parts
from okrsync_github.search import normalized_query

__all__ = ["check_field", "check_issue", "check_query"]


async def check_query(client: GitHubClient, query: str) -> None:
    """GitHub refuses a query it cannot run (an unknown repository, too many operators)
    with a 422, which becomes a ``QueryError`` in GitHub's words."""
    params = {"q": normalized_query(query), "per_page": 1}
    await client.get("/search/issues", params=params, query=True)


def check_field(project: ProjectInfo | None, name: str, source: str) -> None:
    """A field a mapping reads is a number field of the project (the estimate names ask
    for the project's estimate field)."""
    if project is None:
        raise FieldNotFound(
            f"GitHub issues have no field {name!r} of their own: set the connector's "
            "`project:` to the organization project holding it (such as acme/5)",
            source=source,
        )
    if is_estimate_field(name):
        if project.estimate_field is None:
            raise FieldNotFound(
                f"project {project.ref} has no estimate field for {name!r}: none of its "
                "number fields is named Estimate, Story Points, Points or Size; name it in "
                "the connector's estimate_field",
                source=source,
            )
        return
    if name not in project.number_fields:
        listed = ", ".join(sorted(project.number_fields)) or "none"
        raise FieldNotFound(
            f"project {project.ref} has no number field {name!r}; its number fields: {listed}",
            source=source,
        )


async def check_issue(client: GitHubClient, issue: str, kr_id: str = "") -> None:
    """The issue exists and the token can see it (a 404 otherwise)."""
    owner, name, number = issue_parts(issue, source=client.source, kr_id=kr_id)
    await client.get(f"/repos/{owner}/{name}/issues/{number}")
