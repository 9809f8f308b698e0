"""Writing KR results back into GitHub (contract 6.1): a number field of the project
item, one comment edited in place, and the KR issue itself.

GitHub has no comment or issue properties, so what okrsync wrote is found again by a
hidden marker (``<!-- okrsync:kr=ID -->``) as the first line of the body, written by the
token's own account: a person who copies the marker makes no comment okrsync's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.errors import ConfigError, FieldNotFound, ProtocolError, SourceConfigError
from okrsync_github import queries
from okrsync_github.client import GitHubClient
from okrsync_github.project import ProjectInfo

__all__ = ["Pusher", "issue_parts", "marker"]

_ISSUE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+)#([1-9][0-9]*)$")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")


def marker(kr_id: str) -> str:
    return f"<!-- okrsync:kr={kr_id} -->"


def _owned_text(body: Any, kr_id: str) -> str | None:
    """The text after okrsync's marker line, or None if the body is not okrsync's."""
    first, _, rest = str(body or "").partition("\n")
    return rest if first.strip() == marker(kr_id) else None


def issue_parts(issue: str, *, source: str, kr_id: str = "") -> tuple[str, str, int]:
    """``acme/okrs#12`` as (owner, repository, number); anything else would not name an
    issue, and could steer a request to another path."""
    match = _ISSUE.match(issue)
    if match is None:
        whose = f"KR {kr_id!r} pushes to issue" if kr_id else "issue"
        raise SourceConfigError(
            f"{whose} {issue!r}, which is not a GitHub issue such as acme/okrs#12",
            source=source,
        )
    return match.group(1), match.group(2), int(match.group(3))


def _parts(target: PushTarget, issue: str) -> tuple[str, str, int]:
    return issue_parts(issue, source=target.to, kr_id=target.kr_id)


class Pusher:
    """The push side of one GitHub connector."""

    def __init__(self, client: GitHubClient, project: ProjectInfo | None) -> None:
        self.client = client
        self.project = project
        self._me: str | None = None
        # Project item ids by (project id, issue), found by reading the field: the write
        # that follows a read in the same run needs no second look.
        self._items: dict[tuple[str, str], str] = {}

    async def me(self) -> str:
        """The token's own login (one request, the first time)."""
        if self._me is None:
            user = (await self.client.get("/user")).json
            if not isinstance(user, Mapping) or not user.get("login"):
                raise ProtocolError(
                    "GitHub answered /user without a login", source=self.client.source
                )
            self._me = str(user["login"])
        return self._me

    async def read(self, target: PushTarget) -> Any:
        if target.what == "create":
            return await self._find_created(target)
        if target.issue is None:
            return None
        if target.what == "field":
            _, value = await self._field(target, target.issue)
            return value
        if target.what == "comment":
            found = await self._find_comment(target, target.issue)
            return found[1] if found else None
        raise ConfigError(f"GitHub takes no {target.what} push (KR {target.kr_id!r})")

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        if target.what == "create":
            return await self._create(target, value)
        if target.issue is None:
            raise ConfigError(
                f"KR {target.kr_id!r} has no GitHub issue to push its {target.describe()} to; "
                "give the push an `issue:` or a `create:`"
            )
        if target.what == "field":
            return await self._write_field(target, target.issue, value)
        if target.what == "comment":
            return await self._write_comment(target, target.issue, str(value))
        raise ConfigError(f"GitHub takes no {target.what} push (KR {target.kr_id!r})")

    # --- field ---------------------------------------------------------------------------

    def _number_field(self, target: PushTarget) -> tuple[ProjectInfo, str]:
        project = self.project
        if project is None:
            raise SourceConfigError(
                f"KR {target.kr_id!r} pushes a field, but the connector has no `project:`; "
                "set it to the organization project holding the field (such as acme/5)",
                source=target.to,
            )
        name = target.field or ""
        if name not in project.number_fields:
            listed = ", ".join(sorted(project.number_fields)) or "none"
            raise FieldNotFound(
                f"project {project.ref} has no number field {name!r}; its number fields: {listed}",
                source=target.to,
            )
        return project, project.number_fields[name]

    async def _field(self, target: PushTarget, issue: str) -> tuple[str, float | None]:
        """The issue's project item id and the field's value there."""
        project, _ = self._number_field(target)
        owner, name, number = _parts(target, issue)
        data = await self.client.graphql(
            queries.ISSUE_ITEM, {"owner": owner, "name": name, "number": number}
        )
        found = ((data or {}).get("repository") or {}).get("issue") or {}
        for item in (found.get("projectItems") or {}).get("nodes") or []:
            if (item.get("project") or {}).get("id") != project.id:
                continue
            item_id = self._items[(project.id, issue)] = str(item["id"])
            for value in (item.get("fieldValues") or {}).get("nodes") or []:
                if ((value or {}).get("field") or {}).get("name") == target.field:
                    number_value = value.get("number")
                    return item_id, float(number_value) if number_value is not None else None
            return item_id, None
        raise FieldNotFound(
            f"{issue} is not in project {project.ref}: add it to the project so that okrsync "
            f"can set {target.field!r} on it",
            source=target.to,
        )

    async def _write_field(self, target: PushTarget, issue: str, value: Any) -> WriteReceipt:
        project, field_id = self._number_field(target)
        item_id = self._items.get((project.id, issue)) or (await self._field(target, issue))[0]
        await self.client.graphql(
            queries.SET_NUMBER,
            {"project": project.id, "item": item_id, "field": field_id, "number": float(value)},
        )
        return WriteReceipt(issue=issue, ref=item_id)

    # --- comment -------------------------------------------------------------------------

    async def _find_comment(self, target: PushTarget, issue: str) -> tuple[int, str] | None:
        """okrsync's comment on the issue (the oldest, if a crash made two): id and text."""
        owner, name, number = _parts(target, issue)
        me = await self.me()
        comments: list[Mapping[str, Any]] = []
        path = f"/repos/{owner}/{name}/issues/{number}/comments"
        async for listed in self.client.get_all(path, {"per_page": 100}):
            comments.extend(listed or [])
        for comment in comments:
            text = _owned_text(comment.get("body"), target.kr_id)
            if text is not None and (comment.get("user") or {}).get("login") == me:
                return int(comment["id"]), text
        return None

    async def _write_comment(self, target: PushTarget, issue: str, text: str) -> WriteReceipt:
        owner, name, number = _parts(target, issue)
        body = f"{marker(target.kr_id)}\n{text}"
        found = await self._find_comment(target, issue)
        if found is None:
            made = await self.client.post(
                f"/repos/{owner}/{name}/issues/{number}/comments", {"body": body}
            )
            return WriteReceipt(issue=issue, ref=str((made or {}).get("id", "")) or None)
        if found[1] != text:
            await self.client.patch(
                f"/repos/{owner}/{name}/issues/comments/{found[0]}", {"body": body}
            )
        return WriteReceipt(issue=issue, ref=str(found[0]))

    # --- create --------------------------------------------------------------------------

    def _create_spec(self, target: PushTarget) -> tuple[str, list[str]]:
        spec = target.create or {}
        repo = str(spec.get("repo") or "")
        if not _REPO.match(repo):
            raise SourceConfigError(
                f"KR {target.kr_id!r}: `create:` on GitHub needs `repo: OWNER/REPO` "
                "(such as acme/okrs)",
                source=target.to,
            )
        labels = [x for x in str(spec.get("labels") or "").split(",") if x]
        return repo, labels

    async def _find_created(self, target: PushTarget) -> str | None:
        """The issue okrsync created for the KR: listed (not searched: GitHub's search
        index lags behind, and a crash may have come a second after the create) among
        the token's own issues in the repository, by its marker."""
        repo, labels = self._create_spec(target)
        params = {"creator": await self.me(), "state": "all", "per_page": 100}
        if labels:
            params["labels"] = ",".join(labels)
        params.update(sort="created", direction="asc")
        async for listed in self.client.get_all(f"/repos/{repo}/issues", params):
            for found in listed or []:
                if "pull_request" in found:
                    continue  # the issue list holds pull requests too
                if _owned_text(found.get("body"), target.kr_id) is not None:
                    return f"{repo}#{found['number']}"
        return None

    async def _create(self, target: PushTarget, value: Any) -> WriteReceipt:
        existing = await self._find_created(target)
        if existing is not None:
            return WriteReceipt(issue=existing)
        repo, labels = self._create_spec(target)
        spec = value if isinstance(value, Mapping) else {"summary": str(value)}
        title = str(spec.get("summary") or f"KR {target.kr_id}")
        body = f"{marker(target.kr_id)}\n{spec.get('description') or title}"
        made = await self.client.post(
            f"/repos/{repo}/issues", {"title": title, "body": body, "labels": labels}
        )
        if not isinstance(made, Mapping) or "number" not in made:
            raise ProtocolError(
                f"GitHub created KR {target.kr_id!r}'s issue but did not return its number",
                source=target.to,
            )
        return WriteReceipt(issue=f"{repo}#{made['number']}", ref=str(made.get("node_id") or ""))
