"""``POST /graphql``, executed by graphql-core against GitHub's published schema.

Every document is parsed and validated against the real schema (``schema.graphql``,
GitHub's public ``schema.docs.graphql``), so a query the sandbox answers is one GitHub
would accept. The sandbox serves what okrsync reads: ``nodes``/``node`` (issues and pull
requests with their issue type, parent, labels, assignees, project items with field
values, and timeline items), ``organization.projectV2`` with its fields and iterations,
``repository.issue``, ``viewer``, and the ``updateProjectV2ItemFieldValue`` mutation.
Errors that GitHub reports with HTTP 200 (``NOT_FOUND``) carry GitHub's ``type``.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from importlib.resources import files
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from starlette.requests import Request
from starlette.routing import Route

from okrsync_github_sandbox.gate import Answer, Refusal, gated
from okrsync_github_sandbox.model import Event, Issue, Project
from okrsync_github_sandbox.render import stamp
from okrsync_github_sandbox.state import GitHubState

MAX_PAGE = 100


@functools.cache
def schema() -> GraphQLSchema:
    # GitHub's own schema breaks two of graphql-core's schema rules (deprecated fields
    # implementing non-deprecated interface fields); documents are still validated.
    text = (files("okrsync_github_sandbox") / "schema.graphql").read_text()
    return build_schema(text, assume_valid=True)


class NotFoundError(Exception):
    """GitHub's ``NOT_FOUND``: the field is null and an error of that type is listed."""


def connection(
    entries: list[Any],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A cursor connection as GitHub pages them: ``first`` or ``last`` (1-100) is required."""
    size = first if first is not None else last
    if size is None:
        raise GraphQLError("You must provide a `first` or `last` value to properly paginate.")
    if not 1 <= size <= MAX_PAGE:
        raise GraphQLError(f"Requesting {size} records exceeds the `first` limit of 100 records.")
    start = int(after.removeprefix("cursor:")) + 1 if after else 0
    chosen = entries[start : start + size] if first is not None else entries[-size:]
    offset = start if first is not None else max(len(entries) - size, 0)
    cursors = [f"cursor:{offset + n}" for n in range(len(chosen))]
    return {
        "nodes": chosen,
        "edges": [{"node": node, "cursor": c} for node, c in zip(chosen, cursors, strict=True)],
        "totalCount": len(entries),
        "pageInfo": {
            "hasNextPage": offset + len(chosen) < len(entries),
            "hasPreviousPage": offset > 0,
            "endCursor": cursors[-1] if cursors else None,
            "startCursor": cursors[0] if cursors else None,
        },
    }


def _user(login: str) -> dict[str, Any]:
    return {"__typename": "User", "login": login, "id": f"U_{login}"}


class _Renderer:
    """Turns the state's records into the dicts (and resolvers) graphql-core walks."""

    def __init__(self, state: GitHubState) -> None:
        self.state = state
        # A request's fields, by project: every item and status event of a batch of
        # issues shows the same ones (and "today" does not change within one request).
        self._fields: dict[str, list[dict[str, Any]]] = {}

    # --- projects ------------------------------------------------------------------------

    def field_nodes(self, project: Project) -> list[dict[str, Any]]:
        if project.id not in self._fields:
            self._fields[project.id] = self._field_nodes(project)
        return self._fields[project.id]

    def _field_nodes(self, project: Project) -> list[dict[str, Any]]:
        status = {
            "__typename": "ProjectV2SingleSelectField",
            "id": project.status_field_id,
            "name": "Status",
            "dataType": "SINGLE_SELECT",
            "options": [
                {"id": project.option_id(n), "name": n, "nameHTML": n}
                for n in project.status_options
            ],
        }
        numbers = [
            {"__typename": "ProjectV2Field", "id": fid, "name": name, "dataType": "NUMBER"}
            for name, fid in project.number_fields.items()
        ]
        iterations = [
            {
                "id": i.id,
                "title": i.title,
                "titleHTML": i.title,
                "startDate": i.start.isoformat(),
                "duration": i.duration,
            }
            for i in project.iterations
        ]
        today = self.state.clock().date()
        done = [
            i
            for i, it in zip(iterations, project.iterations, strict=True)
            if it.start + timedelta(days=it.duration) <= today
        ]
        iteration = {
            "__typename": "ProjectV2IterationField",
            "id": project.iteration_field[0],
            "name": project.iteration_field[1],
            "dataType": "ITERATION",
            "configuration": {
                "iterations": [i for i in iterations if i not in done],
                "completedIterations": done,
                "duration": 14,
                "startDay": 1,
            },
        }
        return [status, *numbers, iteration]

    def project_node(self, project: Project) -> dict[str, Any]:
        fields = self.field_nodes(project)
        return {
            "__typename": "ProjectV2",
            "id": project.id,
            "number": project.number,
            "title": project.title,
            "closed": False,
            "fields": lambda info, **args: connection(fields, **args),
            "field": lambda info, name: next((f for f in fields if f["name"] == name), None),
        }

    def item_node(self, project: Project, key: str) -> dict[str, Any]:
        item_id = project.items[key]
        by_name = {f["name"]: f for f in self.field_nodes(project)}

        def values() -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            issue = self.state.issues[key]
            if issue.status is not None:
                out.append(
                    {
                        "__typename": "ProjectV2ItemFieldSingleSelectValue",
                        "name": issue.status,
                        "optionId": project.option_id(issue.status),
                        "field": by_name["Status"],
                    }
                )
            for name, value in project.values[item_id].items():
                if name == project.iteration_field[1]:
                    it = next(i for i in project.iterations if i.id == value)
                    out.append(
                        {
                            "__typename": "ProjectV2ItemFieldIterationValue",
                            "iterationId": it.id,
                            "title": it.title,
                            "titleHTML": it.title,
                            "startDate": it.start.isoformat(),
                            "duration": it.duration,
                            "field": by_name[name],
                        }
                    )
                elif value is not None:
                    out.append(
                        {
                            "__typename": "ProjectV2ItemFieldNumberValue",
                            "number": value,
                            "field": by_name[name],
                        }
                    )
            return out

        return {
            "__typename": "ProjectV2Item",
            "id": item_id,
            "isArchived": False,
            "project": self.project_node(project),
            "fieldValues": lambda info, **args: connection(values(), **args),
            "fieldValueByName": lambda info, name: next(
                (v for v in values() if v["field"]["name"] == name), None
            ),
        }

    # --- issues --------------------------------------------------------------------------

    def event_node(self, issue: Issue, event: Event, previous: str | None) -> dict[str, Any]:
        base = {"id": f"E_{event.id}", "createdAt": stamp(event.at), "actor": _user(event.actor)}
        kind = event.kind
        if kind in ("assigned", "unassigned"):
            name = "AssignedEvent" if kind == "assigned" else "UnassignedEvent"
            return {**base, "__typename": name, "assignee": _user(str(event.value))}
        if kind == "closed":
            return {**base, "__typename": "ClosedEvent", "stateReason": event.value}
        if kind == "reopened":
            return {**base, "__typename": "ReopenedEvent", "stateReason": "REOPENED"}
        if kind == "merged":
            return {**base, "__typename": "MergedEvent"}
        if kind == "status":
            project = self.state.project
            return {
                **base,
                "__typename": "ProjectV2ItemStatusChangedEvent",
                "previousStatus": previous or "",
                "status": event.value or "",
                "wasAutomated": False,
                "project": self.project_node(project) if project else None,
            }
        if kind in ("parent_added", "parent_removed"):
            name = "ParentIssueAddedEvent" if kind == "parent_added" else "ParentIssueRemovedEvent"
            parent = self.state.issues.get(str(event.value))
            return {
                **base,
                "__typename": name,
                "parent": self.issue_node(parent) if parent else None,
            }
        return {**base, "__typename": "LabeledEvent", "label": {"name": event.value}}

    def timeline(self, issue: Issue, item_types: list[str] | None) -> list[dict[str, Any]]:
        out, status = [], None
        for event in issue.events:
            node = self.event_node(issue, event, status)
            if event.kind == "status":
                status = event.value
            type_name = _enum_of(node["__typename"])
            if item_types is None or type_name in item_types:
                out.append(node)
        return out

    def issue_node(self, issue: Issue) -> dict[str, Any]:
        owner, name = issue.repo.split("/")
        project = self.state.project
        kind = "pull" if issue.is_pr else "issues"
        node: dict[str, Any] = {
            "__typename": "PullRequest" if issue.is_pr else "Issue",
            "id": issue.node_id,
            "databaseId": issue.database_id,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "url": f"https://github.com/{issue.repo}/{kind}/{issue.number}",
            "createdAt": stamp(issue.created),
            "updatedAt": stamp(issue.updated),
            "closedAt": stamp(issue.closed_at),
            "closed": issue.state != "OPEN",
            "state": issue.state
            if issue.is_pr
            else ("OPEN" if issue.state == "OPEN" else "CLOSED"),
            "author": _user(issue.author),
            "repository": {
                "__typename": "Repository",
                "id": f"R_{name}",
                "name": name,
                "nameWithOwner": issue.repo,
                "owner": {"__typename": "Organization", "login": owner},
            },
            "labels": lambda info, **args: connection(
                [{"__typename": "Label", "id": f"LA_{n}", "name": n} for n in issue.labels], **args
            ),
            "assignees": lambda info, **args: connection(
                [_user(a) for a in issue.assignees], **args
            ),
            "timelineItems": lambda info, itemTypes=None, **args: connection(
                self.timeline(issue, itemTypes), **args
            ),
            "projectItems": lambda info, includeArchived=True, **args: connection(
                [self.item_node(project, issue.key)]
                if project and issue.key in project.items
                else [],
                **args,
            ),
        }
        if issue.is_pr:
            node.update(merged=issue.state == "MERGED", mergedAt=stamp(issue.merged_at))
        else:
            node.update(
                stateReason=None
                if issue.state == "OPEN" and issue.state_reason is None
                else issue.state_reason,
                issueType={
                    "__typename": "IssueType",
                    "id": f"IT_{issue.issue_type}",
                    "name": issue.issue_type,
                }
                if issue.issue_type
                else None,
                parent=self.issue_node(self.state.issues[issue.parent]) if issue.parent else None,
            )
        return node


@functools.cache
def _enum_of(type_name: str) -> str:
    """``ProjectV2ItemStatusChangedEvent`` -> ``PROJECT_V2_ITEM_STATUS_CHANGED_EVENT``."""
    out = ""
    for n, char in enumerate(type_name):
        if char.isupper() and n and not type_name[n - 1].isupper():
            out += "_"
        out += char.upper()
    return out


def _root(state: GitHubState, login: str) -> dict[str, Any]:
    render = _Renderer(state)

    def node(info: Any, id: str) -> dict[str, Any]:
        issue = state.by_node_id(id)
        if issue is None:
            raise NotFoundError(f"Could not resolve to a node with the global id of '{id}'")
        return render.issue_node(issue)

    def nodes(info: Any, ids: list[str]) -> list[dict[str, Any] | None]:
        if len(ids) > MAX_PAGE:
            raise GraphQLError("You may not request more than 100 nodes at once.")
        return [render.issue_node(i) if (i := state.by_node_id(x)) else None for x in ids]

    def organization(info: Any, login: str) -> dict[str, Any]:
        if not any(repo.split("/")[0] == login for repo in state.repos):
            raise NotFoundError(
                f"Could not resolve to an Organization with the login of '{login}'."
            )
        project = state.project

        def project_v2(info: Any, number: int) -> dict[str, Any]:
            if project is None or project.owner != login or project.number != number:
                raise NotFoundError(f"Could not resolve to a ProjectV2 with the number {number}.")
            return render.project_node(project)

        return {"__typename": "Organization", "login": login, "projectV2": project_v2}

    def repository(info: Any, owner: str, name: str, **_: Any) -> dict[str, Any]:
        repo = f"{owner}/{name}"
        if repo not in state.repos:
            raise NotFoundError(f"Could not resolve to a Repository with the name '{repo}'.")

        def issue(info: Any, number: int) -> dict[str, Any]:
            found = state.issue(repo, number)
            if found is None or found.is_pr:
                raise NotFoundError(f"Could not resolve to an issue with the number of {number}.")
            return render.issue_node(found)

        return {"__typename": "Repository", "nameWithOwner": repo, "issue": issue}

    def update_field(info: Any, input: dict[str, Any]) -> dict[str, Any]:
        project = state.project
        if project is None or input["projectId"] != project.id:
            raise NotFoundError(
                f"Could not resolve to a node with the global id of '{input['projectId']}'"
            )
        key = next((k for k, v in project.items.items() if v == input["itemId"]), None)
        if key is None:
            raise NotFoundError(
                f"Could not resolve to a node with the global id of '{input['itemId']}'"
            )
        name = next((n for n, f in project.number_fields.items() if f == input["fieldId"]), None)
        value = input["value"]
        if name is None or set(value) != {"number"}:
            raise GraphQLError("The field is not a number field, or the value is not a number.")
        project.values[input["itemId"]][name] = float(value["number"])
        state.issues[key].touch(state.clock())
        return {
            "clientMutationId": input.get("clientMutationId"),
            "projectV2Item": render.item_node(project, key),
        }

    return {
        "node": node,
        "nodes": nodes,
        "organization": organization,
        "repository": repository,
        "viewer": {"__typename": "User", "login": login, "id": f"U_{login}"},
        "updateProjectV2ItemFieldValue": update_field,
    }


@functools.lru_cache(maxsize=256)
def _checked(query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """The parsed document and its validation errors against the schema, once per
    document: a client sends the same few documents again and again (GitHub caches
    them too), and validating one against GitHub's schema costs more than answering it."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, [error]
    return document, validate(schema(), document)


def _error(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.path is not None:
        out["path"] = error.path
    if isinstance(error.original_error, NotFoundError):
        out["type"] = "NOT_FOUND"
    elif error.locations:
        out["locations"] = [{"line": x.line, "column": x.column} for x in error.locations]
    return out


async def post_graphql(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise Refusal(400, "Problems parsing JSON")
    document, invalid = _checked(body["query"])
    if invalid:
        result = ExecutionResult(None, invalid)
    else:
        assert document is not None
        result = execute_sync(
            schema(),
            document,
            root_value=_root(state, login),
            variable_values=body.get("variables") or {},
            operation_name=body.get("operationName"),
        )
    answer: dict[str, Any] = {}
    if result.data is not None:
        answer["data"] = result.data
    if result.errors:
        answer["errors"] = [_error(e) for e in result.errors]
    return Answer(200, answer)


# GitHub.com serves GraphQL at /graphql, Enterprise Server at /api/graphql.
routes: list[Route] = [
    Route(path, gated(post_graphql), methods=["POST"]) for path in ("/graphql", "/api/graphql")
]
