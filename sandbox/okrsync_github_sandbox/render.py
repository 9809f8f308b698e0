"""Issues, comments and users as GitHub's REST API v3 shows them (``2022-11-28``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from okrsync_github_sandbox.model import Comment, Issue
from okrsync_github_sandbox.state import GitHubState


def stamp(moment: datetime | None) -> str | None:
    """GitHub's timestamps: ISO 8601, UTC, whole seconds, ``Z``."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def user(state: GitHubState, login: str) -> dict[str, Any]:
    """GitHub's ``simple-user``, every property it requires."""
    api = f"{state.base_url}/users/{login}"
    return {
        "login": login,
        "id": state.users.get(login, 0),
        "node_id": f"U_{login}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{state.users.get(login, 0)}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/{login}",
        "followers_url": api + "/followers",
        "following_url": api + "/following{/other_user}",
        "gists_url": api + "/gists{/gist_id}",
        "starred_url": api + "/starred{/owner}{/repo}",
        "subscriptions_url": api + "/subscriptions",
        "organizations_url": api + "/orgs",
        "repos_url": api + "/repos",
        "events_url": api + "/events{/privacy}",
        "received_events_url": api + "/received_events",
        "type": "User",
        "site_admin": False,
    }


def issue(state: GitHubState, item: Issue) -> dict[str, Any]:
    api = f"{state.base_url}/repos/{item.repo}/issues/{item.number}"
    kind = "pull" if item.is_pr else "issues"
    labels = [
        {
            "id": abs(hash(name)) % 10**8,
            "node_id": f"LA_{name}",
            "name": name,
            "color": "ededed",
            "default": False,
            "description": None,
        }
        for name in item.labels
    ]
    assignees = [user(state, login) for login in item.assignees]
    body: dict[str, Any] = {
        "id": item.database_id,
        "node_id": item.node_id,
        "url": api,
        "repository_url": f"{state.base_url}/repos/{item.repo}",
        "labels_url": api + "/labels{/name}",
        "comments_url": api + "/comments",
        "events_url": api + "/events",
        "html_url": f"https://github.com/{item.repo}/{kind}/{item.number}",
        "number": item.number,
        "state": "open" if item.state == "OPEN" else "closed",
        "state_reason": _rest_reason(item),
        "title": item.title,
        "body": item.body or None,
        "user": user(state, item.author),
        "labels": labels,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": len(state.comments_of(item.key)),
        "closed_at": stamp(item.closed_at),
        "created_at": stamp(item.created),
        "updated_at": stamp(item.updated),
        "author_association": "MEMBER",
        "type": {"name": item.issue_type} if item.issue_type else None,
    }
    if item.is_pr:
        body["pull_request"] = {
            "url": f"{state.base_url}/repos/{item.repo}/pulls/{item.number}",
            "html_url": body["html_url"],
            "diff_url": body["html_url"] + ".diff",
            "patch_url": body["html_url"] + ".patch",
            "merged_at": stamp(item.merged_at),
        }
    return body


def _rest_reason(item: Issue) -> str | None:
    if item.is_pr or item.state_reason is None:
        return None
    return item.state_reason.lower()


def comment(state: GitHubState, entry: Comment) -> dict[str, Any]:
    repo, number = entry.issue.split("#")
    return {
        "id": entry.id,
        "node_id": f"IC_{entry.id}",
        "url": f"{state.base_url}/repos/{repo}/issues/comments/{entry.id}",
        "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{entry.id}",
        "issue_url": f"{state.base_url}/repos/{repo}/issues/{number}",
        "body": entry.body,
        "user": user(state, entry.author),
        "created_at": stamp(entry.created),
        "updated_at": stamp(entry.updated),
        "author_association": "MEMBER",
    }


_TIMELINE_EVENTS = {
    "assigned": "assigned",
    "unassigned": "unassigned",
    "closed": "closed",
    "reopened": "reopened",
    "merged": "merged",
    "labeled": "labeled",
}


def timeline(state: GitHubState, item: Issue) -> list[dict[str, Any]]:
    """The REST timeline: events without project status names (those are GraphQL's)."""
    out = []
    for event in item.events:
        if event.kind not in _TIMELINE_EVENTS:
            continue
        entry: dict[str, Any] = {
            "id": event.id,
            "node_id": f"E_{event.id}",
            "url": f"{state.base_url}/repos/{item.repo}/issues/events/{event.id}",
            "actor": user(state, event.actor),
            "event": _TIMELINE_EVENTS[event.kind],
            "commit_id": None,
            "commit_url": None,
            "created_at": stamp(event.at),
        }
        if event.kind in ("assigned", "unassigned"):
            entry["assignee"] = user(state, str(event.value))
        if event.kind == "closed":
            entry["state_reason"] = str(event.value or "COMPLETED").lower()
        out.append(entry)
    return out


# The URL templates of GitHub's ``full-repository``, by property, after the repository's
# API address.
_REPOSITORY_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(state: GitHubState, full_name: str) -> dict[str, Any]:
    """GitHub's ``full-repository`` (``GET /repos/{owner}/{repo}``), every property it
    requires; an organization's public repository with issues and projects on."""
    owner, name = full_name.split("/")
    api = f"{state.base_url}/repos/{full_name}"
    issues = [i for i in state.issues.values() if i.repo == full_name]
    opened = sum(i.state == "OPEN" for i in issues)
    created = min((i.created for i in issues), default=None)
    updated = max((i.updated or i.created for i in issues), default=None)
    organization = {**user(state, owner), "type": "Organization"}
    return {
        "id": state.repos[full_name],
        "node_id": f"R_{name}",
        "name": name,
        "full_name": full_name,
        "owner": organization,
        "organization": organization,
        "private": False,
        "visibility": "public",
        "html_url": f"https://github.com/{full_name}",
        "description": None,
        "fork": False,
        "url": api,
        **{prop: api + tail for prop, tail in _REPOSITORY_URLS.items()},
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"https://github.com/{full_name}.git",
        "svn_url": f"https://github.com/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "subscribers_count": 0,
        "network_count": 0,
        "size": 0,
        "default_branch": "main",
        "open_issues": opened,
        "open_issues_count": opened,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "is_template": False,
        "pushed_at": stamp(updated),
        "created_at": stamp(created),
        "updated_at": stamp(updated),
        "license": None,
    }
