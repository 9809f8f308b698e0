"""GitHub's REST endpoints okrsync uses: the issue search, issues, their timelines and
comments, and the authenticated user; and the repository, which a script on a client
library such as PyGithub reads first. Lists page with ``per_page``/``page`` and a
``Link`` header, as GitHub's do."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from okrsync_github_sandbox import render
from okrsync_github_sandbox.gate import Answer, Refusal, gated
from okrsync_github_sandbox.model import Comment, Issue
from okrsync_github_sandbox.search import SearchRefused, compile_query, parse
from okrsync_github_sandbox.state import GitHubState


def _page_args(request: Request) -> tuple[int, int]:
    try:
        per_page = min(max(int(request.query_params.get("per_page", 30)), 1), 100)
        page = max(int(request.query_params.get("page", 1)), 1)
    except ValueError:
        raise Refusal(422, "per_page and page must be numbers") from None
    return per_page, page


def _link(request: Request, page: int, last: int) -> str:
    def url(number: int) -> str:
        return str(request.url.include_query_params(page=number))

    links = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(1)}>; rel="first"', f'<{url(page - 1)}>; rel="prev"']
    return ", ".join(links)


def _paged(request: Request, entries: list[Any], *, reachable: int | None = None) -> Answer:
    per_page, page = _page_args(request)
    reachable = len(entries) if reachable is None else reachable
    last = max((reachable + per_page - 1) // per_page, 1)
    chunk = entries[(page - 1) * per_page : page * per_page]
    link = _link(request, page, last)
    return Answer(200, chunk, {"Link": link} if link else {})


def _issue_at(request: Request, state: GitHubState) -> Issue:
    repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
    found = state.issue(repo, int(request.path_params["number"]))
    if found is None:
        raise Refusal(404, "Not Found")
    return found


def in_project(state: GitHubState, issue: Issue, spec: str) -> bool:
    project = state.project
    owner, _, number = spec.partition("/")
    return (
        project is not None
        and project.owner == owner
        and str(project.number) == number
        and issue.key in project.items
    )


async def search_issues(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    query = request.query_params.get("q", "")
    try:
        terms = parse(query)
        wanted = compile_query(terms, lambda i, s: in_project(state, i, s))
        found = [i for i in state.issues.values() if wanted(i)]
    except SearchRefused as error:
        raise Refusal(422, "Validation Failed", errors=[{"message": str(error)}]) from None
    unknown = [t.value for t in terms if t.name == "repo" and t.value.lower() not in state.repos]
    if unknown:
        message = (
            "The listed users and repositories cannot be searched either because the "
            "resources do not exist or you do not have permission to view them."
        )
        raise Refusal(422, "Validation Failed", errors=[{"message": message}])
    sort = request.query_params.get("sort", "best-match")
    descending = request.query_params.get("order", "desc") == "desc"
    if sort in ("created", "updated"):
        found.sort(key=lambda i: (getattr(i, sort), i.key), reverse=descending)
    else:
        found.sort(key=lambda i: i.key)
    per_page, page = _page_args(request)
    if (page - 1) * per_page >= state.search_cap:
        raise Refusal(422, "Only the first 1000 search results are available")
    reachable = min(len(found), state.search_cap)
    answer = _paged(request, found[:reachable], reachable=reachable)
    answer.body = {
        "total_count": len(found),
        "incomplete_results": False,
        # Every result scores alike: the sandbox ranks by creation or key, not relevance.
        "items": [{**render.issue(state, i), "score": 1.0} for i in answer.body],
    }
    return answer


async def get_issue(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    return Answer(200, render.issue(state, _issue_at(request, state)))


async def get_timeline(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    return _paged(request, render.timeline(state, _issue_at(request, state)))


async def list_comments(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    entries = state.comments_of(_issue_at(request, state).key)
    return _paged(request, [render.comment(state, c) for c in entries])


def _text(body: Any, name: str, *, required: bool = True) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Refusal(422, "Validation Failed", errors=[{"field": name, "code": "missing_field"}])
    return value


async def create_comment(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    issue = _issue_at(request, state)
    now = state.clock()
    entry = Comment(state.next_id(), issue.key, login, _text(body, "body"), now, now)
    state.comments.append(entry)
    issue.touch(now)
    return Answer(201, render.comment(state, entry))


async def edit_comment(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
    wanted = int(request.path_params["comment_id"])
    entry = next(
        (c for c in state.comments if c.id == wanted and c.issue.startswith(repo + "#")), None
    )
    if entry is None:
        raise Refusal(404, "Not Found")
    if entry.author != login:
        raise Refusal(403, "Must have admin rights to Repository.")
    entry.body = _text(body, "body")
    entry.updated = state.clock()
    issue = state.issues[entry.issue]
    issue.touch(entry.updated)
    return Answer(200, render.comment(state, entry))


async def list_issues(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    """A repository's issues and pull requests, filtered by ``state``, ``creator`` and
    ``labels`` (all of them), oldest or newest first by creation."""
    repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
    if repo not in state.repos:
        raise Refusal(404, "Not Found")
    params = request.query_params
    wanted_state = params.get("state", "open")
    labels = [x for x in params.get("labels", "").split(",") if x]
    found = [
        i
        for i in state.issues.values()
        if i.repo == repo
        and (wanted_state == "all" or (i.state == "OPEN") == (wanted_state == "open"))
        and params.get("creator", i.author) == i.author
        and all(label in i.labels for label in labels)
    ]
    found.sort(key=lambda i: i.created, reverse=params.get("direction", "desc") == "desc")
    answer = _paged(request, found)
    answer.body = [render.issue(state, i) for i in answer.body]
    return answer


async def create_issue(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
    if repo not in state.repos:
        raise Refusal(404, "Not Found")
    labels = body.get("labels", []) if isinstance(body, dict) else []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise Refusal(422, "Validation Failed", errors=[{"field": "labels", "code": "invalid"}])
    number = state.next_number(repo)
    now = state.clock()
    issue = state.add_issue(
        repo,
        number,
        _text(body, "title"),
        now,
        author=login,
        body=_text(body, "body", required=False),
        labels=labels,
    )
    return Answer(201, render.issue(state, issue))


async def get_repository(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
    if repo not in state.repos:
        raise Refusal(404, "Not Found")
    return Answer(200, render.repository(state, repo))


async def get_user(request: Request, state: GitHubState, login: str, body: Any) -> Answer:
    return Answer(200, render.user(state, login))


_ISSUE = "/repos/{owner}/{repo}/issues/{number:int}"
routes = [
    Route("/search/issues", gated(search_issues), methods=["GET"]),
    Route("/user", gated(get_user), methods=["GET"]),
    Route("/repos/{owner}/{repo}", gated(get_repository), methods=["GET"]),
    Route("/repos/{owner}/{repo}/issues", gated(list_issues), methods=["GET"]),
    Route("/repos/{owner}/{repo}/issues", gated(create_issue), methods=["POST"]),
    Route(_ISSUE, gated(get_issue), methods=["GET"]),
    Route(_ISSUE + "/timeline", gated(get_timeline), methods=["GET"]),
    Route(_ISSUE + "/comments", gated(list_comments), methods=["GET"]),
    Route(_ISSUE + "/comments", gated(create_comment), methods=["POST"]),
    Route(
        "/repos/{owner}/{repo}/issues/comments/{comment_id:int}",
        gated(edit_comment),
        methods=["PATCH"],
    ),
]
